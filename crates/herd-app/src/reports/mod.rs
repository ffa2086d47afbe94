//! Reports an instance's own accounts file (`POST /api/v1/reports`), into the instance's
//! report queue; reports other servers send arrive as `Flag` (see `federation::inbox`).

mod file;

pub use file::{NewUserReport, file};
