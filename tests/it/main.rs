//! The one integration-test binary: every test drives a real server over TCP on 127.0.0.1:0.

mod attributes;
mod common;
mod connections;
mod control;
mod control_plane;
mod dashboard;
mod disks;
mod golden;
mod golden_replication;
mod instances;
mod limits;
mod names;
mod network;
mod otc;
mod persistence;
mod protocol;
mod replication;
mod response_fields;
mod scope;
mod tags;
mod wire_fidelity;
