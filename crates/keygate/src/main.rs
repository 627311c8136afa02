//! The `keygate` binary: everything lives in the library (see `lib.rs`).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    keygate::main()
}
