//! Runs the real `keygate` command; integration tests start it as a separate process.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    keygate::main()
}
