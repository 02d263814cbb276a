//! The closed set of Alibaba Cloud error codes (wire code, HTTP status, documented message) and
//! the one mapping from domain errors to them, per dialect.
//!
//! Policy: every error a client can see is an `ApiError` built from an `ErrorCode` row, so its
//! status and text match the vendor's documentation. A domain error is turned into wire form in
//! exactly one place, `ApiError::from_domain` in `vocab`, keyed by (dialect, operation). `Internal` exists only for bugs: it is logged.

use std::borrow::Cow;

use axum::http::StatusCode;

/// Which API product (and so which vocabulary of codes) a request was made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// ECS, Version 2014-05-26 (also the seed documents' disk-replica operations).
    Ecs,
    /// EBS, Version 2021-07-30 (disk replica pairs and groups).
    Ebs,
    /// VPC, Version 2016-04-28 (VPCs and vSwitches; ECS's wording for common errors).
    Vpc,
}

impl Dialect {
    /// The product name used in `Recommend` links.
    pub fn product(self) -> &'static str {
        match self {
            Self::Ecs => "Ecs",
            Self::Ebs => "ebs",
            Self::Vpc => "Vpc",
        }
    }

    /// The product's name in the emulator's own listings (`ecs`, `ebs`).
    pub fn id(self) -> &'static str {
        match self {
            Self::Ecs => "ecs",
            Self::Ebs => "ebs",
            Self::Vpc => "vpc",
        }
    }
}

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => ($code:literal, $status:literal, $message:literal), )*) => {
        /// Every fixed error the emulator answers with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $( $(#[$doc])* $variant, )* }

        impl ErrorCode {
            /// The `Code` on the wire.
            pub fn code(self) -> &'static str { match self { $( Self::$variant => $code, )* } }
            /// The HTTP status.
            pub fn status(self) -> u16 { match self { $( Self::$variant => $status, )* } }
            /// The documented `Message`.
            pub fn message(self) -> &'static str { match self { $( Self::$variant => $message, )* } }
        }
    };
}

error_codes! {
    // ---- gateway (both products) ----
    /// Unknown AccessKeyId (strict mode).
    AccessKeyNotFound => ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    /// Wrong signature; the message is extended with the server's string to sign.
    SignatureDoesNotMatch => ("SignatureDoesNotMatch", 400, "Specified signature is not matched with our calculation."),
    /// Malformed or missing signature parts.
    IncompleteSignature => ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
    /// Timestamp more than 15 minutes away from the server's clock.
    TimestampExpired => ("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    /// Timestamp that does not parse.
    TimestampFormat => ("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
    /// SignatureNonce seen before within the replay window.
    SignatureNonceUsed => ("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    /// No AccessKeyId in a request that must be signed.
    MissingAccessKeyId => ("MissingAccessKeyId", 400, "AccessKeyId is mandatory for this action."),
    /// No signature in a request that must be signed.
    MissingSignature => ("MissingSignature", 400, "Signature is mandatory for this action."),
    /// No SignatureNonce in a signed RPC request (strict mode).
    MissingSignatureNonce => ("MissingSignatureNonce", 400, "SignatureNonce is mandatory for this action."),
    /// No Timestamp in a signed RPC request (strict mode).
    MissingTimestamp => ("MissingTimestamp", 400, "Timestamp is mandatory for this action."),
    /// Unsupported SignatureMethod or SignatureVersion.
    InvalidSignatureMethod => ("InvalidSignatureMethod", 400, "Specified signature method is not valid."),
    /// Unknown Action for this product and version.
    InvalidActionNotFound => ("InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."),
    /// Unknown or missing Version.
    InvalidVersion => ("InvalidVersion", 400, "Specified parameter Version is not valid."),
    /// Neither GET nor POST.
    UnsupportedHttpMethod => ("UnsupportedHTTPMethod", 403, "This http method is not supported."),
    /// Body larger than the configured limit.
    RequestTooLarge => ("InvalidParameter.RequestTooLarge", 413, "The request body exceeds the size limit of this endpoint."),
    /// Request not received within the configured time.
    RequestTimeout => ("RequestTimeout", 504, "The request is timeout, please try again later."),
    /// Only for bugs; logged.
    InternalError => ("InternalError", 500, "The request processing has failed due to some unknown error."),
    /// EBS wording of InternalError.
    InternalErrorEbs => ("InternalError", 500, "The request processing has failed due to some unknown error, exception or failure."),
    /// Transient failure.
    ServiceUnavailable => ("ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."),
    /// ECS DryRun with every check passed.
    DryRunOperation => ("DryRunOperation", 400, "Request validation has been passed with DryRun flag set."),
    /// A ClientToken longer than 64 characters or not ASCII (ECS).
    InvalidClientToken => ("InvalidClientToken.ValueNotSupported", 400, "The ClientToken provided is invalid."),
    /// ClientToken reused with other parameters.
    IdempotentParameterMismatch => ("IdempotentParameterMismatch", 400, "The specified parameter has changed while using an already used clientToken."),
    /// Invalid parameter value; ECS wording is built per parameter.
    InvalidParameter => ("InvalidParameter", 400, "The specified parameter is not valid."),

    // ---- ECS instances ----
    InstanceNotFound => ("InvalidInstanceId.NotFound", 404, "The specified InstanceId does not exist."),
    IncorrectInstanceStatus => ("IncorrectInstanceStatus", 403, "The current status of the resource does not support this operation."),
    /// AttachDisk documents IncorrectInstanceStatus as 400.
    IncorrectInstanceStatusAttach => ("IncorrectInstanceStatus", 400, "The current status of the resource does not support this operation."),
    InstanceLockedForSecurity => ("InstanceLockedForSecurity", 403, "The specified operation is denied as your instance is locked for security reasons."),
    InsufficientBalance => ("InsufficientBalance", 403, "Your account does not have enough balance."),
    DiskError => ("DiskError", 403, "IncorrectDiskStatus."),
    InstanceExpiredPostPaid => ("InstanceExpired", 403, "The postPaid instance has been expired.Please ensure your account have enough balance."),
    InstanceExpiredPrePaid => ("InstanceExpired", 403, "The prePaid instance has been expired."),
    InstanceExpiredOrInArrears => ("InstanceExpiredOrInArrears", 403, "The specified operation is denied as your prepay instance is expired (prepay mode) or in arrears (afterpay mode)."),
    InstanceNotReady => ("InstanceNotReady", 403, "The specified instance is not ready for use."),
    DiskInArrears => ("DiskInArrears", 403, "The specified operation is denied as your disk has expired."),
    NoStock => ("OperationDenied.NoStock", 403, "The requested resource is sold out in the specified zone; try other types of resources or other regions and zones."),
    SpotPriceLowerThanPublicPrice => ("OperationDenied.SpotPriceLowerThanPublicPrice", 403, "The spot instance price is lower than public price."),
    KmsUnauthorized => ("InvalidParameter.KMSKeyId.KMSUnauthorized", 403, "ECS service have no right to access your KMS."),
    TooManyInstanceIds => ("InvalidParameter.TooManyInstanceIds", 403, "Instance ids cannot be more than 100."),
    DryRunInvalidAmount => ("DryRun.InvalidAmount", 403, "The specified Amount is not valid for a DryRun request."),
    ImageNotFound => ("InvalidImageId.NotFound", 404, "The specified ImageId does not exist."),
    InstanceTypeNotSupported => ("InvalidInstanceType.ValueNotSupported", 400, "The specified InstanceType beyond the permitted range."),
    SystemDiskCategoryNotSupported => ("InvalidSystemDiskCategory.ValueNotSupported", 400, "The specified parameter \"SystemDisk.Category\" is not valid."),
    VSwitchNotFound => ("InvalidVSwitchId.NotFound", 404, "Specified virtual switch does not exist."),
    /// RunInstances' wording of a malformed InstanceName.
    InstanceNameMalformed => ("InvalidInstanceName.Malformed", 400, "The specified parameter \"InstanceName\" is not valid."),
    HostNameMalformed => ("InvalidHostName.Malformed", 400, "The specified parameter \"HostName\" is not valid."),
    /// RunInstances' wording of InvalidDescription.Malformed.
    InstanceDescriptionMalformed => ("InvalidDescription.Malformed", 400, "The specified parameter \"Description\" is not valid."),
    /// RunInstances: a malformed SystemDisk.DiskName or DataDisk.N.DiskName.
    InstanceDiskNameMalformed => ("InvalidDiskName.Malformed", 400, "The specified parameter \"SystemDisk.DiskName or DataDisk.n.DiskName\" is not valid."),
    /// RunInstances: a malformed SystemDisk.Description or DataDisk.N.Description.
    InstanceDiskDescriptionMalformed => ("InvalidDiskDescription.Malformed", 400, "The specified parameter \"SystemDisk.DiskDescription or DataDisk.n.Description\" is not valid."),
    /// RunInstances past the account's instance quota.
    InstanceQuotaExceed => ("QuotaExceed.AfterpayInstance", 400, "Living afterpay instances quota exceeded."),
    InstanceHasDataDisks => ("IncorrectInstanceStatus", 403, "The current status of the resource does not support this operation."),

    StatusNotFound => ("InvalidStatus.NotFound", 404, "The specified Status is not found."),
    /// UserData longer than 32 KiB once decoded.
    UserDataSizeExceeded => ("InvalidUserData.SizeExceeded", 400, "The specified parameter \"UserData\" exceeds the size."),
    /// UserData that is not Base64.
    UserDataNotBase64 => ("InvalidUserData.Base64FormatInvalid", 400, "The specified parameter UserData must be base64 encoded."),
    /// A logon password outside the documented rules.
    PasswordMalformed => ("InvalidPassword.Malformed", 400, "The specified parameter \"Password\" is not valid."),

    // ---- ECS tags ----
    /// A tag call naming a resource that does not exist in the region.
    ResourceIdNotFound => ("InvalidResourceId.NotFound", 404, "The specified ResourceIds are not found in our records."),
    /// A resource would carry more than 20 tags.
    TagQuotaExceed => ("OperationDenied.QuotaExceed", 400, "The quota of tags on resource is beyond permitted range."),
    /// More than 50 ResourceId.N.
    NumberExceedResourceIds => ("NumberExceed.ResourceIds", 400, "The ResourceIds parameter's number is exceed , Valid : 50"),
    /// More than 20 Tag.N or TagKey.N.
    NumberExceedTags => ("NumberExceed.Tags", 400, "The Tags parameter's number is exceed , Valid : 20"),
    /// The same key twice in one call.
    DuplicateTagKey => ("Duplicate.TagKey", 400, "The Tag.N.Key contain duplicate key."),
    TagKeyMalformed => ("InvalidTagKey.Malformed", 400, "The specified Tag.n.Key is not valid."),
    TagValueMalformed => ("InvalidTagValue.Malformed", 400, "The specified Tag.n.Value is not valid."),
    /// TagResources without any Tag.N.
    MissingTags => ("MissingParameter.Tags", 404, "The parameter - Tags should not be null"),

    // ---- ECS regions / zones ----
    RegionNotFound => ("InvalidRegionId.NotFound", 404, "The specified RegionId does not exist."),
    RegionMalformed => ("InvalidRegionId.MalFormed", 400, "The specified parameter RegionId is not valid."),
    ZoneNotFound => ("InvalidZoneId.NotFound", 404, "The specified zone does not exist."),
    /// RunInstances' and DescribeInstanceStatus' wording.
    ZoneNotFoundInRecords => ("InvalidZoneId.NotFound", 404, "The ZoneId provided does not exist in our records."),
    /// DescribeDisks documents this one as 400.
    ZoneNotFoundDescribeDisks => ("InvalidZoneId.NotFound", 400, "The zoneId provided does not exist in our records."),
    /// RunInstances' wording.
    RegionNotFoundInRecords => ("InvalidRegionId.NotFound", 404, "The RegionId provided does not exist in our records."),
    /// CreateDisk's wording.
    InstanceNotFoundInRecords => ("InvalidInstanceId.NotFound", 404, "The InstanceId provided does not exist in our records."),
    /// A tag value without its key (ECS).
    TagMismatch => ("InvalidTag.Mismatch", 400, "The specified Tag.n.Key and Tag.n.Value are not match."),
    /// More than 20 tags (ECS).
    TagCount => ("InvalidTagCount", 400, "The specified tags are beyond the permitted range."),
    AcceptLanguageNotFound => ("InvalidAcceptLanguage.NotFound", 404, "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed."),
    ResourceTypeNotFound => ("InvalidResourceType.NotFound", 404, "The ResourceType provided does not exist in our records."),
    InstanceChargeTypeInvalid => ("Invalid.InstanceChargeType", 403, "The specified instanceChargeType is not valid."),

    // ---- ECS disks ----
    DiskNotFound => ("InvalidDiskId.NotFound", 404, "The specified disk does not exist."),
    IncorrectDiskStatus => ("IncorrectDiskStatus", 403, "The current disk status does not support this operation."),
    /// The seed documents' wording for the disk-replica operations.
    IncorrectDiskStatusReplica => ("IncorrectDiskStatus", 403, "The operation is not supported in this status."),
    /// CreateDisk or RunInstances past the account's disk quota.
    DiskQuotaExceed => ("QuotaExceed.PostPaidDisk", 403, "Living postPaid disks quota exceeded."),
    DiskNotPortable => ("DiskNotPortable", 403, "The specified disk is not a portable disk."),
    ResourcesNotInSameZone => ("ResourcesNotInSameZone", 403, "The specified instance and disk are not in the same zone."),
    InstanceDiskLimitExceeded => ("InstanceDiskLimitExceeded", 403, "The amount of the disk on instance in question reach its limits."),
    DiskInUse => ("InvalidDisk.InUse", 404, "The specified disk has been occupied."),
    DiskAlreadyDetached => ("InvalidDisk.AlreadyDetached", 404, "The specified disk has been detached."),
    DependencyViolation => ("DependencyViolation", 403, "The specified disk has not been attached on the specified instance."),
    DiskTypeViolation => ("DiskTypeViolation", 403, "The specified disk is a system disk and cannot support the operation."),
    DiskStillAttached => ("DiskStillAttached", 403, "The disk is still attached to the disk."),
    DiskCategoryNotSupported => ("InvalidDiskCategory.ValueNotSupported", 400, "The specified parameter \"DiskCategory\" is not valid."),
    SizeNotSupported => ("InvalidSize.ValueNotSupported", 400, "The specified parameter Size is not valid."),
    SizeOrSnapshotMissing => ("MissingParameter", 400, "The input parameter either \"SnapshotId\" or \"Size\" should be specified."),
    ZoneIdAndInstanceIdConflict => ("InvalidParam.ZoneIdAndInstanceId.Conflict", 403, "The specified parameter 'ZoneId' and 'InstanceId' are not blank at the same time."),
    PerformanceLevelMalformed => ("InvalidPerformanceLevel.Malformed", 400, "The specified parameter PerformanceLevel is not valid."),
    DiskNameMalformed => ("InvalidDiskName.Malformed", 400, "The specified disk name is wrongly formed."),
    DescriptionMalformed => ("InvalidDescription.Malformed", 400, "The specified description is wrongly formed."),
    DiskIdsMalformed => ("InvalidDiskIds.Malformed", 403, "The amount of specified disk Ids exceeds the limit."),
    DiskIdsInvalid => ("InvalidParameter.DiskIds", 400, "The specified parameter diskIds is not valid."),
    DiskTypeNotSupported => ("InvalidDiskType.ValueNotSupported", 400, "The specified disk type is not supported."),
    CategoryNotSupported => ("InvalidCategory.ValueNotSupported", 400, "The specified disk category is not supported."),
    DiskStatusNotSupported => ("InvalidStatus.ValueNotSupported", 400, "The specified disk status is not supported."),
    SpotStrategyInvalid => ("InvalidSpotStrategy", 400, "The specified SpotStrategy is not valid."),
    SnapshotNotFound => ("InvalidSnapshotId.NotFound", 404, "The specified SnapshotId does not exist."),
    /// The seed documents' code for a missing field on the disk-replica operations.
    IncompleteParamter => ("IncompleteParamter", 400, "Some fields can not be null in this request."),

    // ---- EBS (disk replication) ----
    NoSuchResource => ("NoSuchResource", 404, "The specified resource does not exist."),
    OperationDenied => ("OperationDenied", 403, "The operation is not allowed."),
    InvalidStatus => ("OperationDenied.InvalidStatus", 403, "The operation is not allowed in current status."),
    StandbyDeviceAttached => ("OperationDenied.StandbyDeviceAttached", 400, "The secondary disk is attached."),
    ManualSyncLimit => ("OperationDenied.ManualSyncLimit", 403, "One shot start manual syncing too frequently, please try again later."),
    OperateNotAllowedForPrimary => ("OperationDenied.OperateNotAllowedForPrimary", 403, "Operation is not allowed on the primary site."),
    OperateNotAllowedForStandby => ("OperationDenied.OperateNotAllowedForStandby", 403, "Operation is not allowed on the secondary site."),
    GroupHasPair => ("OperationDenied.GroupHasPair", 403, "The group cannot be deleted due to not empty."),
    GroupStatusCannotAddPair => ("OperationDenied.GroupStatusCannotAddPair", 403, "The pair cannot be added in group current status."),
    GroupStatusCannotRemovePair => ("OperationDenied.GroupStatusCannotRemovePair", 403, "The pair cannot be removed in group current status."),
    GroupTotalDiskCapacityLimit => ("OperationDenied.GroupTotalDiskCapacityLimit", 403, "The disk space in the replication pair-consistent group exceeds the upper limit."),
    NoPairInGroup => ("OperationDenied.NoPairInGroup", 403, "The operation is not allowed because no pair in the group."),
    PairGroupAZoneConflict => ("OperationDenied.PairGroupAZoneConflict", 403, "The operation is not allowed due to pair and group having different RegionId or ZoneId."),
    PairGroupStatusConflict => ("OperationDenied.PairGroupStatusConflict", 403, "The operation is not allowed due to pair and group status are not consistent."),
    PairInAnotherGroup => ("OperationDenied.PairInAnotherGroup", 403, "The operation is not allowed because pair is already in another group."),
    PairInitializing => ("OperationDenied.PairInitializing", 403, "The operation is not allowed due to pair initializing,  please try again later."),
    PairNotInGroup => ("OperationDenied.PairNotInGroup", 403, "The operation is not allowed because pair is not in any group."),
    PairStatusCannotAddToGroup => ("OperationDenied.PairStatusCannotAddToGroup", 403, "The pair cannot be added in pair current status."),
    PairStatusCannotRemoveFromGroup => ("OperationDenied.PairStatusCannotRemoveFromGroup", 403, "The pair cannot be removed in pair  current status."),
    PairsExceedInGroup => ("OperationDenied.PairsExceedInGroup", 403, "The operation is not allowed due to too much pair in the group."),
    QuotaExceed => ("OperationDenied.QuotaExceed", 403, "The operation is not allowed due to quota exceed."),
    TooMuchEmptyGroup => ("OperationDenied.TooMuchEmptyGroup", 403, "Operation failed because of too many empty groups."),
    LastTokenProcessing => ("LastTokenProcessing", 403, "The last token request is processing."),

    // ---- VPC (2016-04-28) and ECS security groups ----
    VpcNotFound => ("InvalidVpcId.NotFound", 404, "Specified VPC does not exist."),
    VpcQuotaExceeded => ("QuotaExceeded.Vpc", 400, "VPC quota exceeded."),
    VpcNameMalformed => ("InvalidVpcName.Malformed", 400, "Specified VPC name is not valid."),
    VpcDescriptionMalformed => ("InvalidVpcDiscription.Malformed", 400, "Specified VPC description is not valid."),
    VpcHasVSwitches => ("DependencyViolation.VSwitch", 400, "Specified object has dependent resources"),
    VpcHasSecurityGroups => ("DependencyViolation.SecurityGroup", 400, "Specified object has dependent resources SecurityGroup."),
    VpcHasInstances => ("DependencyViolation.Instance", 400, "Specified object has dependent resources"),
    VSwitchHasInstances => ("DependencyViolation", 400, "Specified object has dependent resources."),
    VSwitchQuotaExceeded => ("QuotaExceeded.VSwitch", 400, "Virtual switch quota exceeded."),
    VSwitchNameMalformed => ("InvalidVSwitchName.Malformed", 400, "Specified virtual switch name is not valid."),
    VSwitchDescriptionMalformed => ("InvalidVSwitchDiscription.Malformed", 400, "Specified virtual switch description is not valid."),
    VpcZoneNotFound => ("InvalidZoneId.NotFound", 404, "Specified zone does not exist."),
    CidrMalformed => ("InvalidCidrBlock.Malformed", 400, "Specified CIDR block is not valid."),
    CidrMaskLength => ("InvalidCirdrBlock.MaskLength", 400, "Specified CIDR block is not valid ."),
    CidrOutsideVpc => ("InvalidParameter", 400, "Specified CIDR block is not valid in VPC."),
    CidrOverlapped => ("InvalidCidrBlock.Overlapped", 400, "Specified CIDR block overlapped with other subnets."),
    SecurityGroupNotFound => ("InvalidSecurityGroupId.NotFound", 404, "The specified SecurityGroupId does not exist."),
    SecurityGroupNotFoundInRecords => ("InvalidSecurityGroupId.NotFound", 404, "The SecurityGroupId provided does not exist in our records."),
    SecurityGroupNotFoundDelete => ("InvalidSecurityGroup.NotFound", 404, "The specified security group is not found."),
    SecurityGroupVpcNotFound => ("InvalidVpcId.NotFound", 404, "The specified VpcId does not exist."),
    SecurityGroupHasInstances => ("DependencyViolation", 403, "There is still instance(s) in the specified security group."),
    SecurityGroupNamedByRule => ("DependencyViolation", 403, "The specified security group has been authorized in another one."),
    SecurityGroupQuotaExceed => ("QuotaExceed.SecurityGroup", 403, "The maximum number of security groups is reached."),
    SecurityGroupNameMalformed => ("InvalidSecurityGroupName.Malformed", 400, "Specified security group name is not valid."),
    SecurityGroupDescriptionMalformed => ("InvalidSecurityGroupDiscription.Malformed", 400, "Specified security group description is not valid."),
    SecurityGroupTypeInvalid => ("InvalidSecurityGroupType.NotFound", 404, "The specified SecurityGroupType does not exist."),
    IpProtocolMalformed => ("InvalidIpProtocol.Malformed", 400, "The specified parameter \"IpProtocol\" is not valid."),
    PortRangeMalformed => ("InvalidPortRange.Malformed", 400, "The specified parameter \"PortRange\" is not valid."),
    ProtocolPortMismatch => ("OperationDenied", 400, "The specified IpProtocol does not exist or IpProtocol and PortRange do not match."),
    SourceCidrIpMalformed => ("InvalidSourceCidrIp.Malformed", 400, "The specified parameter \"SourceCidrIp\" is not valid."),
    PolicyMalformed => ("InvalidPolicy.Malformed", 400, "The specified parameter \"Policy\" is not valid."),
    PriorityInvalid => ("InvalidPriority.Malformed", 400, "The specified parameter \"Priority\" is not valid."),
    NicTypeInvalid => ("InvalidNicType.ValueNotSupported", 400, "The specified NicType does not exist."),
    RuleDescriptionMalformed => ("InvalidSecurityGroupDiscription.Malformed", 400, "The specified security group rule description is not valid."),
    SourceGroupNotFound => ("InvalidSourceGroupId.NotFound", 404, "The SourceGroupId provided does not exist in our records."),
    SourceGroupIsSelf => ("InvalidParamter.Conflict", 403, "The specified SecurityGroupId should be different from the SourceGroupId."),
    SourceGroupVpcMismatch => ("InvalidSourceGroupId.Mismatch", 400, "Specified security group and source group are not in the same VPC."),
    GroupVSwitchVpcMismatch => ("InvalidParameter.Mismatch", 400, "Specified security group and virtual switch are not in the same VPC."),
    AuthorizationLimitExceed => ("AuthorizationLimitExceed", 403, "The maximum number of authorization rules in the security group is exceeded."),
    SourceGroupMissing => ("MissingParameter", 403, "The input parameter \"SourceGroupId\" or \"SourceCidrIp\" cannot be both blank."),
}

/// An error as the client will see it: code, status and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Wire `Code`.
    pub code: Cow<'static, str>,
    /// HTTP status.
    pub status: u16,
    /// Wire `Message`.
    pub message: Cow<'static, str>,
    /// Seconds sent in `x-acs-retry-after` (injected throttling).
    pub retry_after: Option<u32>,
    /// Answer nothing and close the connection (an injected fault).
    pub drop_connection: bool,
}

impl From<ErrorCode> for ApiError {
    fn from(c: ErrorCode) -> Self {
        Self {
            code: Cow::Borrowed(c.code()),
            status: c.status(),
            message: Cow::Borrowed(c.message()),
            retry_after: None,
            drop_connection: false,
        }
    }
}

impl ApiError {
    /// A fixed code with a message of its own (e.g. naming the parameter).
    pub fn with_message(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
            ..code.into()
        }
    }

    /// The gateway's answer to a missing required parameter: `Missing<Name>`, 400.
    pub fn missing(name: &str) -> Self {
        let flat: String = name.chars().filter(|c| *c != '.').collect();
        Self {
            code: Cow::Owned(format!("Missing{flat}")),
            status: 400,
            message: Cow::Owned(format!("{name} is mandatory for this action.")),
            retry_after: None,
            drop_connection: false,
        }
    }

    /// A required parameter of a disk-replica operation is missing: the seed documents' ECS
    /// `IncompleteParamter` (its documented sentence, then the field's name), or the EBS
    /// gateway's `Missing<Name>`.
    pub fn replica_missing(dialect: Dialect, name: &str) -> Self {
        match dialect {
            Dialect::Ecs | Dialect::Vpc => Self::with_message(
                ErrorCode::IncompleteParamter,
                format!(
                    "{} {name} is null.",
                    ErrorCode::IncompleteParamter.message()
                ),
            ),
            Dialect::Ebs => Self::missing(name),
        }
    }

    /// A parameter whose value is not acceptable, in the wording of the dialect.
    pub fn invalid(dialect: Dialect, name: &str) -> Self {
        let message = match dialect {
            Dialect::Ecs | Dialect::Vpc => {
                format!("The specified parameter \"{name}\" is not valid.")
            }
            Dialect::Ebs => format!("The parameter {name} is invalid."),
        };
        Self::with_message(ErrorCode::InvalidParameter, message)
    }

    /// A bug: logged where it is made, answered as InternalError.
    #[track_caller]
    pub fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!(location = %std::panic::Location::caller(), "internal error: {what}");
        ErrorCode::InternalError.into()
    }

    /// The HTTP status as an axum type.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}
