//! Persistence against the real binary: every acknowledged change survives `kill -9` (many
//! times, during a stream of changes), a graceful stop keeps everything, health answers 503
//! until the persisted state is loaded, and a torn log tail is ignored.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Proc {
    child: Child,
    base: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path, extra: &[&str]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecs-emulator"))
        .args(["serve", "--listen", "127.0.0.1:0", "--timing", "instant"])
        .arg("--data-dir")
        .arg(dir)
        .args(extra)
        .env("ECS_EMULATOR_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the binary");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let base = line
        .trim()
        .strip_prefix("ecs-emulator listening on ")
        .expect("listening line")
        .to_owned();
    Proc { child, base }
}

async fn until_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = client.get(format!("{base}/_emulator/health")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "not ready within 20 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn disks(client: &reqwest::Client, base: &str) -> Vec<String> {
    let doc: Value = client
        .get(format!("{base}/_emulator/state"))
        .send()
        .await
        .expect("export")
        .text()
        .await
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    doc["accounts"]
        .as_object()
        .into_iter()
        .flat_map(|a| a.values())
        .flat_map(|a| a["disks"].as_object().into_iter().flat_map(|d| d.keys()))
        .cloned()
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecs-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// CreateDisk from several connections until the process dies; returns the acknowledged ids.
async fn create_until_killed(
    base: &str,
    killer: tokio::sync::oneshot::Receiver<()>,
) -> Vec<String> {
    let mut tasks = Vec::new();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for _ in 0..4 {
        let (base, stop) = (base.to_owned(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut acked = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let url = format!("{base}/?Action=CreateDisk&Version=2014-05-26&RegionId=cn-hangzhou&ZoneId=cn-hangzhou-h&Size=20");
                let Ok(r) = client.get(url).send().await else { break };
                let Ok(text) = r.text().await else { break };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { break };
                if let Some(id) = v["DiskId"].as_str() {
                    acked.push(id.to_owned());
                }
            }
            acked
        }));
    }
    let _ = killer.await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_kill_9_again_and_again() {
    let dir = temp_dir("kill9");
    let client = reqwest::Client::new();
    let mut acked_total: Vec<String> = Vec::new();
    for round in 0..8u64 {
        let mut proc = start(&dir, &[]);
        until_ready(&client, &proc.base).await;
        let present = disks(&client, &proc.base).await;
        for id in &acked_total {
            assert!(
                present.contains(id),
                "round {round}: acknowledged {id} lost"
            );
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        let base = proc.base.clone();
        let writer = tokio::spawn(async move { create_until_killed(&base, rx).await });
        tokio::time::sleep(Duration::from_millis(80 + 37 * round)).await;
        // SIGKILL in the middle of the stream: no flush, no goodbye.
        proc.child.kill().expect("kill -9");
        let _ = proc.child.wait();
        let _ = tx.send(());
        let acked = writer.await.expect("writer");
        assert!(!acked.is_empty(), "round {round}: nothing was acknowledged");
        acked_total.extend(acked);
    }
    let proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let present = disks(&client, &proc.base).await;
    for id in &acked_total {
        assert!(present.contains(id), "acknowledged {id} lost");
    }
    drop(proc);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_keeps_everything_and_a_torn_tail_is_ignored() {
    let dir = temp_dir("graceful");
    let client = reqwest::Client::new();
    let proc = start(&dir, &["--durability", "relaxed"]);
    until_ready(&client, &proc.base).await;
    let mut made = Vec::new();
    for _ in 0..5 {
        let v: Value = client
            .get(format!("{}/?Action=CreateDisk&Version=2014-05-26&RegionId=cn-hangzhou&ZoneId=cn-hangzhou-h&Size=20", proc.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap();
        made.push(v["DiskId"].as_str().unwrap().to_owned());
    }
    let pid = proc.child.id();
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
    let mut proc = proc;
    let status = proc.child.wait().unwrap();
    assert!(status.success(), "graceful stop: {status:?}");
    // A crash in the middle of a write leaves a torn frame at the end of a log.
    let log = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .max()
        .unwrap();
    std::fs::write(&log, [0x40, 0, 0, 0, 1, 2, 3, 4, b'{', b'"']).unwrap();
    let proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let present = disks(&client, &proc.base).await;
    for id in &made {
        assert!(present.contains(id), "{id} lost");
    }
    drop(proc);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The attribute and tag calls are replayed from the log: user data, a new name, tags and a
/// disk flag survive `kill -9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_and_tag_changes_survive_kill_9() {
    let dir = temp_dir("attributes");
    let client = reqwest::Client::new();
    let get = |base: &str, query: &str| {
        let url = format!("{base}/?Version=2014-05-26&RegionId=cn-hangzhou&{query}");
        let client = client.clone();
        async move {
            let text = client.get(url).send().await.unwrap().text().await.unwrap();
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    let mut proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let base = proc.base.clone();
    let v = get(&base, "Action=CreateInstance&ImageId=ubuntu_22_04_x64_20G_alibase_20240710.vhd&InstanceType=ecs.g7.large&UserData=aGVsbG8%3D").await;
    let id = v["InstanceId"].as_str().expect("InstanceId").to_owned();
    let v = get(
        &base,
        &format!("Action=ModifyInstanceAttribute&InstanceId={id}&InstanceName=kept-name"),
    )
    .await;
    assert!(v.get("Code").is_none(), "{v}");
    let v = get(&base, &format!("Action=TagResources&ResourceType=instance&ResourceId.1={id}&Tag.1.Key=env&Tag.1.Value=prod")).await;
    assert!(v.get("Code").is_none(), "{v}");
    let v = get(&base, &format!("Action=DescribeDisks&InstanceId={id}")).await;
    let disk = v["Disks"]["Disk"][0]["DiskId"].as_str().unwrap().to_owned();
    let v = get(
        &base,
        &format!("Action=ModifyDiskAttribute&DiskId={disk}&DeleteAutoSnapshot=false"),
    )
    .await;
    assert!(v.get("Code").is_none(), "{v}");
    proc.child.kill().expect("kill -9");
    let _ = proc.child.wait();
    let proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let base = proc.base.clone();
    let v = get(&base, &format!("Action=DescribeUserData&InstanceId={id}")).await;
    assert_eq!(v["UserData"], "aGVsbG8=");
    let v = get(
        &base,
        &format!("Action=DescribeInstanceAttribute&InstanceId={id}"),
    )
    .await;
    assert_eq!(v["InstanceName"], "kept-name");
    assert_eq!(v["Status"], "Stopped");
    let v = get(
        &base,
        &format!("Action=ListTagResources&ResourceType=instance&ResourceId.1={id}"),
    )
    .await;
    assert_eq!(v["TagResources"]["TagResource"][0]["TagValue"], "prod");
    let v = get(&base, &format!("Action=DescribeDisks&DiskIds=[\"{disk}\"]")).await;
    assert_eq!(v["Disks"]["Disk"][0]["DeleteAutoSnapshot"], false);
    drop(proc);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The network calls are replayed from the log: a VPC, its vSwitch, a security group with a rule,
/// and the check they put on a later create, survive `kill -9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_records_survive_kill_9() {
    let dir = temp_dir("network");
    let client = reqwest::Client::new();
    let get = |base: &str, version: &str, query: &str| {
        let url = format!("{base}/?Version={version}&RegionId=cn-hangzhou&{query}");
        let client = client.clone();
        async move {
            let text = client.get(url).send().await.unwrap().text().await.unwrap();
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    const VPC: &str = "2016-04-28";
    const ECS: &str = "2014-05-26";
    let mut proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let base = proc.base.clone();
    let v = get(&base, VPC, "Action=CreateVpc&CidrBlock=10.0.0.0%2F8").await;
    let vpc = v["VpcId"].as_str().expect("VpcId").to_owned();
    let v = get(
        &base,
        VPC,
        &format!("Action=CreateVSwitch&VpcId={vpc}&ZoneId=cn-hangzhou-h&CidrBlock=10.2.0.0%2F16"),
    )
    .await;
    let vsw = v["VSwitchId"].as_str().expect("VSwitchId").to_owned();
    let v = get(
        &base,
        ECS,
        &format!("Action=CreateSecurityGroup&VpcId={vpc}"),
    )
    .await;
    let sg = v["SecurityGroupId"]
        .as_str()
        .expect("SecurityGroupId")
        .to_owned();
    let v = get(&base, ECS, &format!("Action=AuthorizeSecurityGroup&SecurityGroupId={sg}&IpProtocol=tcp&PortRange=80%2F80&SourceCidrIp=0.0.0.0%2F0")).await;
    assert!(v.get("Code").is_none(), "{v}");
    proc.child.kill().expect("kill -9");
    let _ = proc.child.wait();
    let proc = start(&dir, &[]);
    until_ready(&client, &proc.base).await;
    let base = proc.base.clone();
    let v = get(&base, VPC, &format!("Action=DescribeVSwitches&VpcId={vpc}")).await;
    assert_eq!(v["VSwitches"]["VSwitch"][0]["VSwitchId"], vsw.as_str());
    assert_eq!(v["VSwitches"]["VSwitch"][0]["CidrBlock"], "10.2.0.0/16");
    let v = get(
        &base,
        ECS,
        &format!("Action=DescribeSecurityGroupAttribute&SecurityGroupId={sg}"),
    )
    .await;
    assert_eq!(v["Permissions"]["Permission"][0]["PortRange"], "80/80");
    let run = "Action=RunInstances&ImageId=ubuntu_22_04_x64_20G_alibase_20240710.vhd&InstanceType=ecs.g7.large";
    let v = get(&base, ECS, &format!("{run}&VSwitchId=vsw-made-up")).await;
    assert_eq!(v["Code"], "InvalidVSwitchId.NotFound", "{v}");
    let v = get(
        &base,
        ECS,
        &format!("{run}&VSwitchId={vsw}&SecurityGroupId={sg}"),
    )
    .await;
    assert!(v.get("Code").is_none(), "{v}");
    drop(proc);
    let _ = std::fs::remove_dir_all(&dir);
}
