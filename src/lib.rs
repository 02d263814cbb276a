//! ecs-emulator: a local emulator of Alibaba Cloud's ECS (2014-05-26) and EBS (2021-07-30) APIs.

pub mod aliyun;
pub mod config;
pub mod domain;
