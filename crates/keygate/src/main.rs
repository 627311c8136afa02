//! The `keygate` binary: everything lives in the library (see `lib.rs`).
#![forbid(unsafe_code)]

/// mimalloc rather than the system allocator: the request path and the traffic writer allocate
/// many small, short-lived values on several threads, where glibc's malloc spends a tenth of the
/// server's CPU time (measured with perf under bench/load.sh; see docs/PERFORMANCE.md, with why
/// it is built with `no_thp`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    keygate::main()
}
