//! Build automation for the workspace: `cargo xtask codegen`, `docs`, `fetch`, `init` and `compat`, and
//! their helpers. The only place that reads schemas from disk or writes the generated crate; the
//! `codegen` library does no I/O.

pub mod codegen_task;
pub mod compat_task;
pub mod docs_task;
pub mod fetch;
pub mod init_task;
pub mod lock;
pub mod tree;
pub mod worker;
