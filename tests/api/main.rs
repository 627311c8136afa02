//! keygate's integration tests: one binary, one module per area.

mod health;
mod process;
