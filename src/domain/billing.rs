//! How resources are paid for: the billing methods the cloud records (it sends no bills).

use serde::{Deserialize, Serialize};

/// How a resource is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeType {
    /// Pay-as-you-go.
    #[default]
    PayAsYouGo,
    /// Subscription.
    Subscription,
}
