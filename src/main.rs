//! The `ecs-emulator` binary.
fn main() {}
