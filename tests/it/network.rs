//! VPCs, vSwitches and security groups over the wire: their lifecycle and errors, and how
//! RunInstances checks the network it names once a region has records.

use serde_json::Value;

use crate::common::{default_server, Server};

const HZ: &str = "cn-hangzhou";
const VPC: &str = "2016-04-28";
const IMAGE: &str = "aliyun_3_x64_20G_alibase_20240819.vhd";

async fn vpc(s: &Server, params: &[(&str, &str)]) -> String {
    let mut p = vec![("RegionId", HZ)];
    p.extend_from_slice(params);
    let v = s.call(VPC, "CreateVpc", &p).await.ok();
    v["VpcId"].as_str().expect("VpcId").to_owned()
}

async fn vswitch(s: &Server, vpc_id: &str, zone: &str, cidr: &str) -> String {
    let v = s
        .call(
            VPC,
            "CreateVSwitch",
            &[
                ("RegionId", HZ),
                ("VpcId", vpc_id),
                ("ZoneId", zone),
                ("CidrBlock", cidr),
            ],
        )
        .await
        .ok();
    v["VSwitchId"].as_str().expect("VSwitchId").to_owned()
}

async fn group(s: &Server, vpc_id: &str) -> String {
    let v = s
        .ecs(
            "CreateSecurityGroup",
            &[
                ("RegionId", HZ),
                ("VpcId", vpc_id),
                ("SecurityGroupName", "web"),
            ],
        )
        .await
        .ok();
    v["SecurityGroupId"]
        .as_str()
        .expect("SecurityGroupId")
        .to_owned()
}

async fn run(s: &Server, region: &str, extra: &[(&str, &str)]) -> crate::common::Resp {
    let mut p = vec![
        ("RegionId", region),
        ("ImageId", IMAGE),
        ("InstanceType", "ecs.g7.large"),
    ];
    p.extend_from_slice(extra);
    s.ecs("RunInstances", &p).await
}

async fn instance(s: &Server, id: &str) -> Value {
    let ids = format!("[\"{id}\"]");
    let v = s
        .ecs(
            "DescribeInstances",
            &[("RegionId", HZ), ("InstanceIds", &ids)],
        )
        .await
        .ok();
    v["Instances"]["Instance"][0].clone()
}

#[tokio::test]
async fn vpc_vswitch_and_group_lifecycle() {
    let s = default_server().await;
    let vpc_id = vpc(
        &s,
        &[("CidrBlock", "192.168.0.0/16"), ("VpcName", "main-net")],
    )
    .await;
    assert!(
        vpc_id.starts_with("vpc-bp1") && vpc_id.len() == 25,
        "{vpc_id}"
    );
    let vsw = vswitch(&s, &vpc_id, "cn-hangzhou-i", "192.168.1.0/24").await;
    assert!(vsw.starts_with("vsw-bp1"), "{vsw}");
    let sg = group(&s, &vpc_id).await;
    assert!(sg.starts_with("sg-bp1"), "{sg}");

    let v = s.call(VPC, "DescribeVpcs", &[("RegionId", HZ)]).await.ok();
    assert_eq!(v["TotalCount"], 1);
    let got = &v["Vpcs"]["Vpc"][0];
    assert_eq!(
        (
            got["VpcId"].as_str(),
            got["Status"].as_str(),
            got["CidrBlock"].as_str(),
            got["VpcName"].as_str()
        ),
        (
            Some(vpc_id.as_str()),
            Some("Available"),
            Some("192.168.0.0/16"),
            Some("main-net")
        )
    );
    assert_eq!(got["VSwitchIds"]["VSwitchId"][0], vsw.as_str());

    let v = s
        .call(
            VPC,
            "DescribeVSwitches",
            &[("RegionId", HZ), ("VpcId", &vpc_id)],
        )
        .await
        .ok();
    let got = &v["VSwitches"]["VSwitch"][0];
    assert_eq!(
        (got["ZoneId"].as_str(), got["CidrBlock"].as_str()),
        (Some("cn-hangzhou-i"), Some("192.168.1.0/24"))
    );
    assert_eq!(got["AvailableIpAddressCount"], 252);
    let v = s
        .call(
            VPC,
            "DescribeVpcAttribute",
            &[("RegionId", HZ), ("VpcId", &vpc_id)],
        )
        .await
        .ok();
    assert_eq!(
        (
            v["VpcId"].as_str(),
            v["Status"].as_str(),
            v["VpcName"].as_str()
        ),
        (Some(vpc_id.as_str()), Some("Available"), Some("main-net"))
    );
    let v = s
        .call(
            VPC,
            "DescribeVSwitchAttributes",
            &[("RegionId", HZ), ("VSwitchId", &vsw)],
        )
        .await
        .ok();
    assert_eq!(
        (
            v["VSwitchId"].as_str(),
            v["VpcId"].as_str(),
            v["ZoneId"].as_str()
        ),
        (
            Some(vsw.as_str()),
            Some(vpc_id.as_str()),
            Some("cn-hangzhou-i")
        )
    );
    s.call(
        VPC,
        "DescribeVpcAttribute",
        &[("RegionId", HZ), ("VpcId", "vpc-nope")],
    )
    .await
    .err(404, "InvalidVpcId.NotFound");
    s.call(
        VPC,
        "DescribeVSwitchAttributes",
        &[("RegionId", HZ), ("VSwitchId", "vsw-nope")],
    )
    .await
    .err(404, "InvalidVSwitchId.NotFound");

    s.ecs(
        "AuthorizeSecurityGroup",
        &[
            ("RegionId", HZ),
            ("SecurityGroupId", &sg),
            ("IpProtocol", "tcp"),
            ("PortRange", "22/22"),
            ("SourceCidrIp", "10.0.0.0/8"),
        ],
    )
    .await
    .ok();
    let v = s
        .ecs(
            "DescribeSecurityGroupAttribute",
            &[("RegionId", HZ), ("SecurityGroupId", &sg)],
        )
        .await
        .ok();
    let perm = &v["Permissions"]["Permission"][0];
    assert_eq!(
        (
            perm["IpProtocol"].as_str(),
            perm["PortRange"].as_str(),
            perm["SourceCidrIp"].as_str(),
            perm["Policy"].as_str()
        ),
        (
            Some("TCP"),
            Some("22/22"),
            Some("10.0.0.0/8"),
            Some("Accept")
        )
    );
    let v = s
        .ecs(
            "DescribeSecurityGroups",
            &[("RegionId", HZ), ("VpcId", &vpc_id)],
        )
        .await
        .ok();
    assert_eq!(v["SecurityGroups"]["SecurityGroup"][0]["RuleCount"], 1);

    // Dependencies: a VPC goes last, after its vSwitches and groups.
    s.call(VPC, "DeleteVpc", &[("RegionId", HZ), ("VpcId", &vpc_id)])
        .await
        .err(400, "DependencyViolation.VSwitch");
    s.call(
        VPC,
        "DeleteVSwitch",
        &[("RegionId", HZ), ("VSwitchId", &vsw)],
    )
    .await
    .ok();
    s.call(VPC, "DeleteVpc", &[("RegionId", HZ), ("VpcId", &vpc_id)])
        .await
        .err(400, "DependencyViolation.SecurityGroup");
    s.ecs(
        "DeleteSecurityGroup",
        &[("RegionId", HZ), ("SecurityGroupId", &sg)],
    )
    .await
    .ok();
    s.call(VPC, "DeleteVpc", &[("RegionId", HZ), ("VpcId", &vpc_id)])
        .await
        .ok();
    s.call(VPC, "DeleteVpc", &[("RegionId", HZ), ("VpcId", &vpc_id)])
        .await
        .err(404, "InvalidVpcId.NotFound");
    let v = s.call(VPC, "DescribeVpcs", &[("RegionId", HZ)]).await.ok();
    assert_eq!(v["TotalCount"], 0);
}

#[tokio::test]
async fn run_instances_is_permissive_until_a_region_has_network_records() {
    let s = default_server().await;
    // No records: any vSwitch and group are taken at their word, as before.
    run(
        &s,
        HZ,
        &[
            ("VSwitchId", "vsw-made-up"),
            ("SecurityGroupId", "sg-made-up"),
        ],
    )
    .await
    .ok();

    let vpc_id = vpc(&s, &[("CidrBlock", "10.0.0.0/8")]).await;
    let vsw = vswitch(&s, &vpc_id, "cn-hangzhou-j", "10.1.0.0/16").await;
    let sg = group(&s, &vpc_id).await;
    run(
        &s,
        HZ,
        &[("VSwitchId", "vsw-made-up"), ("SecurityGroupId", &sg)],
    )
    .await
    .err(404, "InvalidVSwitchId.NotFound");
    let v = run(
        &s,
        HZ,
        &[("VSwitchId", &vsw), ("SecurityGroupId", "sg-made-up")],
    )
    .await
    .err(404, "InvalidSecurityGroupId.NotFound");
    assert_eq!(
        v["Message"],
        "The SecurityGroupId provided does not exist in our records."
    );
    // A group of another VPC than the vSwitch's.
    let other_vpc = vpc(&s, &[("CidrBlock", "192.168.0.0/16")]).await;
    let other_sg = group(&s, &other_vpc).await;
    run(
        &s,
        HZ,
        &[("VSwitchId", &vsw), ("SecurityGroupId", &other_sg)],
    )
    .await
    .err(400, "InvalidParameter.Mismatch");
    // CreateInstance (the older single create) is checked alike.
    s.ecs(
        "CreateInstance",
        &[
            ("RegionId", HZ),
            ("ImageId", IMAGE),
            ("InstanceType", "ecs.g7.large"),
            ("SecurityGroupId", "sg-made-up"),
        ],
    )
    .await
    .err(404, "InvalidSecurityGroupId.NotFound");
    // Other regions stay permissive.
    run(
        &s,
        "cn-shanghai",
        &[
            ("VSwitchId", "vsw-made-up"),
            ("SecurityGroupId", "sg-made-up"),
        ],
    )
    .await
    .ok();

    let v = run(&s, HZ, &[("VSwitchId", &vsw), ("SecurityGroupId", &sg)])
        .await
        .ok();
    let id = v["InstanceIdSets"]["InstanceIdSet"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let inst = instance(&s, &id).await;
    assert_eq!(inst["ZoneId"], "cn-hangzhou-j", "the vSwitch places it");
    assert_eq!(inst["VpcAttributes"]["VpcId"], vpc_id.as_str());
    assert_eq!(inst["VpcAttributes"]["VSwitchId"], vsw.as_str());
    let ip = inst["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ip.starts_with("10.1."), "{ip}");

    // In use: neither the vSwitch nor the group can go while the instance is there.
    s.call(
        VPC,
        "DeleteVSwitch",
        &[("RegionId", HZ), ("VSwitchId", &vsw)],
    )
    .await
    .err(400, "DependencyViolation");
    s.ecs(
        "DeleteSecurityGroup",
        &[("RegionId", HZ), ("SecurityGroupId", &sg)],
    )
    .await
    .err(403, "DependencyViolation");
    let v = s
        .call(
            VPC,
            "DescribeVSwitches",
            &[("RegionId", HZ), ("VSwitchId", &vsw)],
        )
        .await
        .ok();
    assert_eq!(
        v["VSwitches"]["VSwitch"][0]["AvailableIpAddressCount"],
        65531
    );
    s.ecs("DeleteInstance", &[("InstanceId", &id), ("Force", "true")])
        .await
        .ok();
    s.call(
        VPC,
        "DeleteVSwitch",
        &[("RegionId", HZ), ("VSwitchId", &vsw)],
    )
    .await
    .ok();
    s.ecs(
        "DeleteSecurityGroup",
        &[("RegionId", HZ), ("SecurityGroupId", &sg)],
    )
    .await
    .ok();
}

#[tokio::test]
async fn documented_errors() {
    let s = default_server().await;
    for (cidr, code) in [
        ("10.0.0.0", "InvalidCidrBlock.Malformed"),
        ("10.0.0.1/8", "InvalidCidrBlock.Malformed"),
        ("10.0.0.0/30", "InvalidCidrBlock.Malformed"),
    ] {
        s.call(VPC, "CreateVpc", &[("RegionId", HZ), ("CidrBlock", cidr)])
            .await
            .err(400, code);
    }
    s.call(VPC, "CreateVpc", &[("RegionId", HZ), ("VpcName", "-bad")])
        .await
        .err(400, "InvalidVpcName.Malformed");
    s.call(VPC, "CreateVpc", &[("RegionId", "xx-nowhere")])
        .await
        .err(404, "InvalidRegionId.NotFound");
    let vpc_id = vpc(&s, &[("CidrBlock", "172.16.0.0/16")]).await;
    let create = |zone: &'static str, cidr: &'static str, vpc: String| {
        let s = &s;
        async move {
            s.call(
                VPC,
                "CreateVSwitch",
                &[
                    ("RegionId", HZ),
                    ("VpcId", &vpc),
                    ("ZoneId", zone),
                    ("CidrBlock", cidr),
                ],
            )
            .await
        }
    };
    create("cn-hangzhou-h", "172.16.0.0/24", "vpc-nope".into())
        .await
        .err(404, "InvalidVpcId.NotFound");
    create("cn-hangzhou-x", "172.16.0.0/24", vpc_id.clone())
        .await
        .err(404, "InvalidZoneId.NotFound");
    create("cn-shanghai-b", "172.16.0.0/24", vpc_id.clone())
        .await
        .err(404, "InvalidZoneId.NotFound");
    create("cn-hangzhou-h", "172.16.0.0/30", vpc_id.clone())
        .await
        .err(400, "InvalidCirdrBlock.MaskLength");
    let v = create("cn-hangzhou-h", "10.0.0.0/24", vpc_id.clone())
        .await
        .err(400, "InvalidParameter");
    assert_eq!(v["Message"], "Specified CIDR block is not valid in VPC.");
    create("cn-hangzhou-h", "172.16.0.0/24", vpc_id.clone())
        .await
        .ok();
    create("cn-hangzhou-i", "172.16.0.128/25", vpc_id.clone())
        .await
        .err(400, "InvalidCidrBlock.Overlapped");
    s.call(
        VPC,
        "CreateVSwitch",
        &[("RegionId", HZ), ("VpcId", &vpc_id)],
    )
    .await
    .err(400, "MissingZoneId");

    s.ecs(
        "CreateSecurityGroup",
        &[("RegionId", HZ), ("VpcId", "vpc-nope")],
    )
    .await
    .err(404, "InvalidVpcId.NotFound");
    s.ecs(
        "DeleteSecurityGroup",
        &[("RegionId", HZ), ("SecurityGroupId", "sg-nope")],
    )
    .await
    .err(404, "InvalidSecurityGroup.NotFound");
    s.ecs(
        "AuthorizeSecurityGroup",
        &[
            ("RegionId", HZ),
            ("SecurityGroupId", "sg-nope"),
            ("IpProtocol", "tcp"),
            ("PortRange", "22/22"),
            ("SourceCidrIp", "0.0.0.0/0"),
        ],
    )
    .await
    .err(404, "InvalidSecurityGroupId.NotFound");
    let sg = group(&s, &vpc_id).await;
    for (field, value, code) in [
        ("IpProtocol", "sctp", "InvalidIpProtocol.Malformed"),
        ("PortRange", "0/22", "InvalidPortRange.Malformed"),
        (
            "SourceCidrIp",
            "10.0.0.300",
            "InvalidSourceCidrIp.Malformed",
        ),
        ("Policy", "maybe", "InvalidPolicy.Malformed"),
        ("Priority", "101", "InvalidPriority.Malformed"),
    ] {
        let mut p = vec![
            ("RegionId", HZ),
            ("SecurityGroupId", sg.as_str()),
            ("IpProtocol", "tcp"),
            ("PortRange", "22/22"),
            ("SourceCidrIp", "0.0.0.0/0"),
        ];
        p.retain(|(k, _)| *k != field);
        p.push((field, value));
        s.ecs("AuthorizeSecurityGroup", &p).await.err(400, code);
    }
    s.ecs(
        "AuthorizeSecurityGroup",
        &[
            ("RegionId", HZ),
            ("SecurityGroupId", &sg),
            ("IpProtocol", "icmp"),
            ("PortRange", "1/1"),
            ("SourceCidrIp", "0.0.0.0/0"),
        ],
    )
    .await
    .err(400, "OperationDenied");
    let rule_from = |peer: &str| {
        let (s, sg, peer) = (&s, sg.clone(), peer.to_owned());
        async move {
            s.ecs(
                "AuthorizeSecurityGroup",
                &[
                    ("RegionId", HZ),
                    ("SecurityGroupId", &sg),
                    ("IpProtocol", "tcp"),
                    ("PortRange", "80/80"),
                    ("SourceGroupId", &peer),
                ],
            )
            .await
        }
    };
    rule_from("sg-nope")
        .await
        .err(404, "InvalidSourceGroupId.NotFound");
    rule_from(&sg).await.err(403, "InvalidParamter.Conflict");
    let classic = s.ecs("CreateSecurityGroup", &[("RegionId", HZ)]).await.ok();
    rule_from(classic["SecurityGroupId"].as_str().unwrap())
        .await
        .err(400, "InvalidSourceGroupId.Mismatch");
    let peer = group(&s, &vpc_id).await;
    rule_from(&peer).await.ok();
    s.ecs(
        "AuthorizeSecurityGroup",
        &[
            ("RegionId", HZ),
            ("SecurityGroupId", &sg),
            ("IpProtocol", "tcp"),
            ("PortRange", "22/22"),
        ],
    )
    .await
    .err(403, "MissingParameter");
    // The same rule twice is one rule.
    for _ in 0..2 {
        s.ecs(
            "AuthorizeSecurityGroup",
            &[
                ("RegionId", HZ),
                ("SecurityGroupId", &sg),
                ("Permissions.1.IpProtocol", "ALL"),
                ("Permissions.1.PortRange", "-1/-1"),
                ("Permissions.1.SourceCidrIp", "10.0.0.0/8"),
                ("Permissions.2.IpProtocol", "udp"),
                ("Permissions.2.PortRange", "53/53"),
                ("Permissions.2.SourceCidrIp", "10.0.0.0/8"),
            ],
        )
        .await
        .ok();
    }
    let v = s
        .ecs(
            "DescribeSecurityGroupAttribute",
            &[("RegionId", HZ), ("SecurityGroupId", &sg)],
        )
        .await
        .ok();
    assert_eq!(v["Permissions"]["Permission"].as_array().unwrap().len(), 3);
    // A group named by another group's rule cannot go.
    s.ecs(
        "DeleteSecurityGroup",
        &[("RegionId", HZ), ("SecurityGroupId", &peer)],
    )
    .await
    .err(403, "DependencyViolation");
}

#[tokio::test]
async fn counts_are_bounded() {
    let s = default_server().await;
    for _ in 0..10 {
        vpc(&s, &[]).await;
    }
    s.call(VPC, "CreateVpc", &[("RegionId", HZ)])
        .await
        .err(400, "QuotaExceeded.Vpc");
    let v = s
        .call(
            VPC,
            "DescribeVpcs",
            &[("RegionId", HZ), ("PageSize", "4"), ("PageNumber", "3")],
        )
        .await
        .ok();
    assert_eq!(
        (
            v["TotalCount"].as_u64(),
            v["Vpcs"]["Vpc"].as_array().map(Vec::len)
        ),
        (Some(10), Some(2))
    );
    s.call(VPC, "DescribeVpcs", &[("RegionId", HZ), ("PageSize", "51")])
        .await
        .err(400, "InvalidParameter");
    let first = v["Vpcs"]["Vpc"][0]["VpcId"].as_str().unwrap().to_owned();
    for i in 0..24 {
        let cidr = format!("172.{}.{}.0/20", 16 + i / 16, (i % 16) * 16);
        vswitch(&s, &first, "cn-hangzhou-h", &cidr).await;
    }
    s.call(
        VPC,
        "CreateVSwitch",
        &[
            ("RegionId", HZ),
            ("VpcId", &first),
            ("ZoneId", "cn-hangzhou-h"),
            ("CidrBlock", "172.31.0.0/16"),
        ],
    )
    .await
    .err(400, "QuotaExceeded.VSwitch");
}

#[tokio::test]
async fn state_document_carries_the_records() {
    let s = default_server().await;
    let vpc_id = vpc(&s, &[("CidrBlock", "192.168.0.0/16")]).await;
    let vsw = vswitch(&s, &vpc_id, "cn-hangzhou-h", "192.168.0.0/24").await;
    let sg = group(&s, &vpc_id).await;
    let doc = s.control_ok("GET", "/_emulator/state", None).await;
    s.reset().await;
    let v = s.call(VPC, "DescribeVpcs", &[("RegionId", HZ)]).await.ok();
    assert_eq!(v["TotalCount"], 0);
    s.control_ok("PUT", "/_emulator/state", Some(&doc.to_string()))
        .await;
    let v = s
        .call(VPC, "DescribeVSwitches", &[("RegionId", HZ)])
        .await
        .ok();
    assert_eq!(v["VSwitches"]["VSwitch"][0]["VSwitchId"], vsw.as_str());
    let v = s
        .ecs("DescribeSecurityGroups", &[("RegionId", HZ)])
        .await
        .ok();
    assert_eq!(
        v["SecurityGroups"]["SecurityGroup"][0]["SecurityGroupId"],
        sg.as_str()
    );

    // A document whose vSwitch lies outside its VPC is refused, naming the field.
    let text = doc.to_string().replace("192.168.0.0/24", "10.9.0.0/24");
    let (status, _, body) = s.control("PUT", "/_emulator/state", Some(&text), &[]).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("vswitches"), "{body}");
}
