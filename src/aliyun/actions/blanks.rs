//! The documented fields each response item lacks, as documented empty values: printed by `tests/fixtures/gen_response_fields.py --blanks` from the failures of `tests/it/response_fields.rs`.

use super::documented::Blank;

/// DescribeInstances: an instance's `EipAddress`, served before `PublicIpAddress` (see
/// `InstanceView`).
pub(super) const EIP_ADDRESS: Blank = Blank::Obj(&[
    ("AllocationId", Blank::Str),
    ("Bandwidth", Blank::Int),
    ("InternetChargeType", Blank::Str),
    ("IpAddress", Blank::Str),
    ("IsSupportUnassociate", Blank::Bool),
]);

/// DescribeInstances: an instance.
pub(super) const INSTANCE: &[(&str, Blank)] = &[
    (
        "AdditionalInfo",
        Blank::Obj(&[
            ("EnableHighDensityMode", Blank::Bool),
            ("ManagedHostId", Blank::Str),
            ("NodeSerialNumber", Blank::Str),
        ]),
    ),
    ("AutoReleaseTime", Blank::Str),
    ("ClockOptions", Blank::Obj(&[("PtpStatus", Blank::Str)])),
    ("ClusterId", Blank::Str),
    (
        "CpuOptions",
        Blank::Obj(&[
            ("CoreCount", Blank::Int),
            ("EnableVISST", Blank::Bool),
            ("EnableVRDT", Blank::Bool),
            ("NestedVirtualization", Blank::Str),
            ("Numa", Blank::Str),
            ("ThreadsPerCore", Blank::Int),
            ("TopologyType", Blank::Str),
            ("TurboMode", Blank::Str),
        ]),
    ),
    ("CreditSpecification", Blank::Str),
    (
        "DedicatedHostAttribute",
        Blank::Obj(&[
            ("DedicatedHostClusterId", Blank::Str),
            ("DedicatedHostId", Blank::Str),
            ("DedicatedHostName", Blank::Str),
        ]),
    ),
    (
        "DedicatedInstanceAttribute",
        Blank::Obj(&[("Affinity", Blank::Str), ("Tenancy", Blank::Str)]),
    ),
    ("DeploymentSetGroupNo", Blank::Int),
    ("DeploymentSetId", Blank::Str),
    ("DeviceAvailable", Blank::Bool),
    (
        "EcsCapacityReservationAttr",
        Blank::Obj(&[
            ("CapacityReservationId", Blank::Str),
            ("CapacityReservationPreference", Blank::Str),
        ]),
    ),
    ("EnableNVS", Blank::Bool),
    ("GPUAmount", Blank::Int),
    ("GPUSpec", Blank::Str),
    (
        "HibernationOptions",
        Blank::Obj(&[("Configured", Blank::Bool)]),
    ),
    ("HpcClusterId", Blank::Str),
    ("ISP", Blank::Str),
    (
        "ImageOptions",
        Blank::Obj(&[
            ("CurrentOSNVMeSupported", Blank::Bool),
            ("LoginAsNonRoot", Blank::Bool),
        ]),
    ),
    ("InternetMaxBandwidthIn", Blank::Int),
    ("InternetMaxBandwidthOut", Blank::Int),
    ("KeyPairName", Blank::Str),
    ("LocalStorageAmount", Blank::Int),
    ("LocalStorageCapacity", Blank::Int),
    (
        "MetadataOptions",
        Blank::Obj(&[
            ("HttpEndpoint", Blank::Str),
            ("HttpPutResponseHopLimit", Blank::Int),
            ("HttpTokens", Blank::Str),
            ("InstanceMetadataTags", Blank::Str),
        ]),
    ),
    (
        "NetworkInterfaces",
        Blank::Obj(&[("NetworkInterface", Blank::List)]),
    ),
    ("OSNameEn", Blank::Str),
    (
        "PrivateDnsNameOptions",
        Blank::Obj(&[
            ("EnableInstanceIdDnsAAAARecord", Blank::Bool),
            ("EnableInstanceIdDnsARecord", Blank::Bool),
            ("EnableIpDnsARecord", Blank::Bool),
            ("EnableIpDnsPtrRecord", Blank::Bool),
            ("HostnameType", Blank::Str),
        ]),
    ),
    ("RdmaIpAddress", Blank::Obj(&[("IpAddress", Blank::List)])),
    ("Recyclable", Blank::Bool),
    ("ResourceGroupId", Blank::Str),
    ("SaleCycle", Blank::Str),
    (
        "SecurityOptions",
        Blank::Obj(&[("EnableSecureBoot", Blank::Bool)]),
    ),
    ("SpotDuration", Blank::Int),
    ("SpotInterruptionBehavior", Blank::Str),
    ("SpotPriceLimit", Blank::Num),
    ("SpotStrategy", Blank::Str),
    ("VlanId", Blank::Str),
];

/// DescribeDisks: a disk.
pub(super) const DISK: &[(&str, Blank)] = &[
    ("AutoSnapshotPolicyId", Blank::Str),
    ("BdfId", Blank::Str),
    ("BurstingEnabled", Blank::Bool),
    (
        "DataSource",
        Blank::Obj(&[("Id", Blank::Str), ("Type", Blank::Str)]),
    ),
    ("EnableAutoSnapshot", Blank::Bool),
    ("EnableAutomatedSnapshotPolicy", Blank::Bool),
    ("IOPSRead", Blank::Int),
    ("IOPSWrite", Blank::Int),
    ("MountInstanceNum", Blank::Int),
    (
        "MountInstances",
        Blank::Obj(&[("MountInstance", Blank::List)]),
    ),
    ("Placement", Blank::Obj(&[("ZoneIds", Blank::Str)])),
    ("ProductCode", Blank::Str),
    ("ProvisionedIops", Blank::Int),
    ("ResourceGroupId", Blank::Str),
    ("SourceDiskId", Blank::Str),
    ("StorageClusterId", Blank::Str),
    ("StorageSetId", Blank::Str),
    ("StorageSetPartitionNumber", Blank::Int),
    ("Throughput", Blank::Int),
    ("ThroughputRead", Blank::Int),
    ("ThroughputWrite", Blank::Int),
];

/// DescribeImages: an image.
pub(super) const IMAGE: &[(&str, Blank)] = &[
    ("BootMode", Blank::Str),
    (
        "DetectionOptions",
        Blank::Obj(&[
            ("Items", Blank::Obj(&[("Item", Blank::List)])),
            ("Status", Blank::Str),
        ]),
    ),
    (
        "DiskDeviceMappings",
        Blank::Obj(&[("DiskDeviceMapping", Blank::List)]),
    ),
    (
        "Features",
        Blank::Obj(&[
            ("CpuOnlineDowngrade", Blank::Str),
            ("CpuOnlineUpgrade", Blank::Str),
            ("ImdsSupport", Blank::Str),
            ("MemoryOnlineDowngrade", Blank::Str),
            ("MemoryOnlineUpgrade", Blank::Str),
            ("NvmeSupport", Blank::Str),
        ]),
    ),
    ("ImageFamily", Blank::Str),
    ("ImageOwnerId", Blank::Int),
    ("ImageVersion", Blank::Str),
    ("IsCopied", Blank::Bool),
    ("IsPublic", Blank::Bool),
    ("IsSelfShared", Blank::Str),
    ("IsSubscribed", Blank::Bool),
    ("LicenseType", Blank::Str),
    ("LoginAsNonRootSupported", Blank::Bool),
    ("ProductCode", Blank::Str),
    ("Progress", Blank::Str),
    ("ResourceGroupId", Blank::Str),
    (
        "SecureBootOptions",
        Blank::Obj(&[("SecureBootSupport", Blank::Str)]),
    ),
    ("SupplierName", Blank::Str),
    ("Tags", Blank::Obj(&[("Tag", Blank::List)])),
    ("Usable", Blank::Bool),
];

/// DescribeInstanceTypes: an instance type.
pub(super) const INSTANCE_TYPE: &[(&str, Blank)] = &[
    ("Attributes", Blank::Obj(&[("Attribute", Blank::List)])),
    ("BaselineCredit", Blank::Int),
    ("Clock", Blank::Obj(&[("PtpSupport", Blank::Str)])),
    (
        "CpuOptions",
        Blank::Obj(&[
            ("Core", Blank::Int),
            ("CoreFactor", Blank::Int),
            ("HyperThreadingAdjustable", Blank::Bool),
            ("NestedVirtualizationSupport", Blank::Str),
            (
                "SupportedTopologyTypes",
                Blank::Obj(&[("SupportedTopologyType", Blank::List)]),
            ),
            ("ThreadsPerCore", Blank::Int),
        ]),
    ),
    ("CpuSpeedFrequency", Blank::Num),
    ("CpuTurboFrequency", Blank::Num),
    (
        "EnhancedNetwork",
        Blank::Obj(&[
            ("ExpressSupport", Blank::Bool),
            ("RssSupport", Blank::Bool),
            ("SriovSupport", Blank::Bool),
            ("VfQueueNumberPerEni", Blank::Int),
        ]),
    ),
    ("EniIpv6AddressQuantity", Blank::Int),
    ("EniPrivateIpAddressQuantity", Blank::Int),
    ("EniTotalQuantity", Blank::Int),
    ("EniTrunkSupported", Blank::Bool),
    ("EriQuantity", Blank::Int),
    ("GPUAmount", Blank::Int),
    ("GPUMemorySize", Blank::Num),
    ("GPUSpec", Blank::Str),
    ("InitialCredit", Blank::Int),
    ("InstanceBandwidthRx", Blank::Int),
    ("InstanceBandwidthTx", Blank::Int),
    ("InstanceCategory", Blank::Str),
    ("InstanceFamilyLevel", Blank::Str),
    ("InstancePpsRx", Blank::Int),
    ("InstancePpsTx", Blank::Int),
    ("JumboFrameSupport", Blank::Bool),
    ("LocalStorageAmount", Blank::Int),
    ("LocalStorageCapacity", Blank::Int),
    ("LocalStorageCategory", Blank::Str),
    ("MaximumQueueNumberPerEni", Blank::Int),
    ("NetworkCardQuantity", Blank::Int),
    (
        "NetworkCards",
        Blank::Obj(&[("NetworkCardInfo", Blank::List)]),
    ),
    ("NetworkEncryptionSupport", Blank::Bool),
    (
        "NetworkInfo",
        Blank::Obj(&[(
            "BandwidthWeighting",
            Blank::Obj(&[(
                "WeightingInfos",
                Blank::Obj(&[("WeightingInfo", Blank::List)]),
            )]),
        )]),
    ),
    ("NvmeSupport", Blank::Str),
    ("PhysicalProcessorModel", Blank::Str),
    ("PrimaryEniQueueNumber", Blank::Int),
    ("QueuePairNumber", Blank::Int),
    ("SecondaryEniQueueNumber", Blank::Int),
    (
        "SecurityOptions",
        Blank::Obj(&[("SecureBootSupport", Blank::Str)]),
    ),
    (
        "SupportedBootModes",
        Blank::Obj(&[("SupportedBootMode", Blank::List)]),
    ),
    ("TotalEniQueueQuantity", Blank::Int),
];

/// DescribeZones: a zone.
pub(super) const ZONE: &[(&str, Blank)] = &[
    (
        "AvailableDedicatedHostTypes",
        Blank::Obj(&[("DedicatedHostType", Blank::List)]),
    ),
    (
        "AvailableResources",
        Blank::Obj(&[("ResourcesInfo", Blank::List)]),
    ),
    (
        "AvailableVolumeCategories",
        Blank::Obj(&[("VolumeCategories", Blank::List)]),
    ),
    (
        "DedicatedHostGenerations",
        Blank::Obj(&[("DedicatedHostGeneration", Blank::List)]),
    ),
];
