//! The platform side of four file-transfer flows, over a real MQTT broker: it answers a device's
//! Tencent `$resource` download and Huawei `$file_manager` upload requests, then runs a DJI
//! firmware upgrade and lists the DJI log files. Every message it receives must pass
//! `iotxfer::check`; any fault, or 50 s without the flows done, ends it with exit code 1.
//!
//! Start a broker, then the platform, then the device (the `device` example):
//!
//! ```sh
//! cargo run -p iotxfer --example platform -- --broker mqtt://127.0.0.1:1883
//! cargo run -p iotxfer --example device -- --broker mqtt://127.0.0.1:1883
//! ```

mod mqtt;

use std::process::ExitCode;

use mqtt::{Link, Result, ensure};

use iotxfer::dji::firmware::{
    FirmwareResult, FirmwareUpgradeType, OtaCreate, OtaCreateReply, OtaDevice, OtaProgress,
    OtaProgressReply,
};
use iotxfer::dji::log_upload::{FileuploadList, FileuploadListReply};
use iotxfer::dji::{Module, TaskStatus};
use iotxfer::huawei::file_manager::{GetUploadUrl, GetUploadUrlResponse};
use iotxfer::tencent::resource::{
    GetDownloadTask, GetDownloadTaskRsp, ReportDownloadProgress, ReportDownloadProgressRsp,
    TransferState,
};
use iotxfer::{Body, Outgoing, Topic, dji, huawei, tencent};

/// The dock this platform upgrades; Tencent and Huawei devices are answered on the topic they
/// asked on.
const GATEWAY_SN: &str = "DOCK-1";
/// MD5 of the files offered for download.
const MD5: &str = "0123456789abcdef0123456789abcdef";

fn main() -> ExitCode {
    mqtt::exit("platform", run())
}

fn run() -> Result<()> {
    // What devices send, whichever device: one filter per topic, since `#` skips `$` topics.
    let filters = [
        tencent::ResourceUpTopic::FILTER,
        huawei::EventsUpTopic::FILTER,
        dji::ServicesReplyTopic::FILTER,
        dji::EventsTopic::FILTER,
    ];
    let mut link = Link::connect("platform", &filters)?;
    println!("platform: subscribed; waiting for the device");
    tencent_download(&mut link)?;
    huawei_upload_url(&mut link)?;
    // The device has spoken, so it is subscribed: the platform can start the DJI jobs.
    let services = dji::ServicesTopic::new(GATEWAY_SN)?;
    dji_firmware(&mut link, &services)?;
    dji_log_list(&mut link, &services)?;
    link.close()
}

/// Tencent `$resource`: the device asks for its download task, then reports its progress.
fn tencent_download(link: &mut Link) -> Result<()> {
    let ask = link.expect::<GetDownloadTask>()?;
    let url = "https://files.example.com/voice.bin";
    link.send(&ask.reply(GetDownloadTaskRsp::new(4096, "voice.bin", MD5, url)))?;
    loop {
        let report = link.expect::<ReportDownloadProgress>()?;
        link.send(&report.reply(ReportDownloadProgressRsp::new(0, "")))?;
        match report.payload.progress.state {
            TransferState::Done => return Ok(()),
            TransferState::Downloading => {}
            other => return Err(format!("the download ended `{other}`").into()),
        }
    }
}

/// Huawei `$file_manager`: the device asks where to upload a file.
fn huawei_upload_url(link: &mut Link) -> Result<()> {
    let ask = link.expect::<GetUploadUrl>()?;
    let url = "https://obs.example.com/uploads/device.log";
    link.send(&ask.reply(GetUploadUrlResponse::new(url)))
}

/// DJI firmware: `ota_create` and its reply, then `ota_progress` events until the job ends,
/// each acknowledged when it asks for it.
fn dji_firmware(link: &mut Link, services: &dji::ServicesTopic) -> Result<()> {
    let url = "https://files.example.com/dock.zip";
    let firmware = OtaDevice::new(
        GATEWAY_SN,
        "10.01.0001",
        url,
        MD5,
        4096,
        "dock.zip",
        FirmwareUpgradeType::Normal,
    );
    let create = Outgoing::new(services.clone(), OtaCreate::new(vec![firmware]));
    link.send(&create)?;
    let reply = link.expect::<OtaCreateReply>()?;
    same_transaction(&create.payload, &reply.payload)?;
    let accepted = reply.payload.data.result == FirmwareResult::Success;
    ensure(accepted, "the device refused the upgrade")?;
    loop {
        let event = link.expect::<OtaProgress>()?;
        if event.expects_reply() {
            link.send(&event.reply(OtaProgressReply::new(0)))?;
        }
        let output = &event.payload.data.output;
        let (status, percent) = (&output.status, output.progress.percent);
        println!("platform: firmware {status} at {percent}%");
        match status {
            TaskStatus::Ok => return Ok(()),
            TaskStatus::Sent | TaskStatus::InProgress | TaskStatus::Paused => {}
            other => return Err(format!("the upgrade ended `{other}`").into()),
        }
    }
}

/// DJI log upload: which log files the dock and its aircraft hold.
fn dji_log_list(link: &mut Link, services: &dji::ServicesTopic) -> Result<()> {
    let modules = vec![Module::Dock, Module::Aircraft];
    let list = Outgoing::new(services.clone(), FileuploadList::new(modules));
    link.send(&list)?;
    let reply = link.expect::<FileuploadListReply>()?;
    same_transaction(&list.payload, &reply.payload)?;
    for logs in &reply.payload.data.files {
        let count = logs.list.len();
        println!("platform: {} holds {count} log files", logs.device_sn);
    }
    Ok(())
}

/// A DJI reply carries its request's `tid` and `bid`.
fn same_transaction<A: Body, B: Body>(
    request: &dji::Envelope<A>,
    reply: &dji::Envelope<B>,
) -> Result<()> {
    let (sent, got) = ((&request.tid, &request.bid), (&reply.tid, &reply.bid));
    ensure(
        sent == got,
        &format!("reply (tid, bid) {got:?} to {sent:?}"),
    )
}
