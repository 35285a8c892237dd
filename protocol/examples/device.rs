//! The device side of four file-transfer flows, over a real MQTT broker: it downloads a file with
//! Tencent `$resource`, asks Huawei `$file_manager` where to upload a log, then answers a DJI
//! firmware upgrade with its progress and lists its DJI log files. Every message it receives
//! must pass `iotxfer::check`; any fault, or 50 s without the flows done, ends it with exit
//! code 1.
//!
//! Start a broker, then the platform (the `platform` example), then the device:
//!
//! ```sh
//! cargo run -p iotxfer --example platform -- --broker mqtt://127.0.0.1:1883
//! cargo run -p iotxfer --example device -- --broker mqtt://127.0.0.1:1883
//! ```

mod mqtt;

use std::process::ExitCode;

use mqtt::{Link, Result, ensure};

use iotxfer::dji::firmware::{
    FirmwareResult, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaProgress, OtaProgressDetail,
    OtaProgressOutput, OtaProgressReply,
};
use iotxfer::dji::log_upload::{
    DeviceLogs, FileuploadList, FileuploadListReply, LogFile, LogResult,
};
use iotxfer::dji::{Module, NeedReply, TaskStatus};
use iotxfer::huawei::file_manager::{GetUploadUrl, GetUploadUrlResponse};
use iotxfer::tencent::resource::{
    GetDownloadTask, GetDownloadTaskRsp, Progress, ReportDownloadProgress,
    ReportDownloadProgressRsp, ResourceResult, TransferState,
};
use iotxfer::{Outgoing, dji, huawei, tencent};

/// This device, as each cloud names it.
const GATEWAY_SN: &str = "DOCK-1";
const AIRCRAFT_SN: &str = "DRONE-1";
const PRODUCT_ID: &str = "ABCDEFGHIJ";
const DEVICE_NAME: &str = "dev001";
const DEVICE_ID: &str = "product1_dev001";

fn main() -> ExitCode {
    mqtt::exit("device", run())
}

fn run() -> Result<()> {
    // What the platform sends this device: one filter per topic, since `#` skips `$` topics.
    let filters = [
        tencent::ResourceDownTopic::new(PRODUCT_ID, DEVICE_NAME)?.to_string(),
        huawei::EventsDownTopic::new(DEVICE_ID)?.to_string(),
        dji::ServicesTopic::new(GATEWAY_SN)?.to_string(),
        dji::EventsReplyTopic::new(GATEWAY_SN)?.to_string(),
    ];
    let mut link = Link::connect("device", &filters)?;
    tencent_download(&mut link)?;
    huawei_upload_url(&mut link)?;
    dji_firmware(&mut link)?;
    dji_log_list(&mut link)?;
    link.close()
}

/// Tencent `$resource`: ask for the download task, then report the download until it is done.
fn tencent_download(link: &mut Link) -> Result<()> {
    let up = tencent::ResourceUpTopic::new(PRODUCT_ID, DEVICE_NAME)?;
    link.send(&Outgoing::new(up.clone(), GetDownloadTask::new()))?;
    let task = link.expect::<GetDownloadTaskRsp>()?.payload;
    println!("device: downloading {} from {}", task.name, task.url);
    for (state, percent) in [(TransferState::Downloading, 50), (TransferState::Done, 100)] {
        let mut progress = Progress::new(state, ResourceResult::Success, "");
        progress.percent = Some(percent);
        let report = ReportDownloadProgress::new(&task.name, progress);
        link.send(&Outgoing::new(up.clone(), report))?;
        let answer = link.expect::<ReportDownloadProgressRsp>()?.payload;
        ensure(answer.result_code == 0, &answer.result_msg)?;
    }
    Ok(())
}

/// Huawei `$file_manager`: ask where to upload a log file.
fn huawei_upload_url(link: &mut Link) -> Result<()> {
    let up = huawei::EventsUpTopic::new(DEVICE_ID)?;
    link.send(&Outgoing::new(up, GetUploadUrl::new("device.log")))?;
    let answer = link.expect::<GetUploadUrlResponse>()?;
    for event in &answer.payload.services {
        println!("device: uploading device.log to {}", event.paras.url);
    }
    Ok(())
}

/// DJI firmware: accept `ota_create`, then report the job's progress until it is done, asking
/// for an acknowledgement of the first and last events.
fn dji_firmware(link: &mut Link) -> Result<()> {
    let create = link.expect::<OtaCreate>()?;
    let accepted = OtaCreateOutput::new(TaskStatus::InProgress);
    link.send(&create.reply(OtaCreateReply::new(FirmwareResult::Success, accepted)))?;
    let events = dji::EventsTopic::new(GATEWAY_SN)?;
    let steps = [
        (TaskStatus::InProgress, 40, NeedReply::Yes),
        (TaskStatus::InProgress, 80, NeedReply::No),
        (TaskStatus::Ok, 100, NeedReply::Yes),
    ];
    for (status, percent, need_reply) in steps {
        let output = OtaProgressOutput::new(status, OtaProgressDetail::new(percent));
        let body = OtaProgress::new(FirmwareResult::Success, output);
        let mut event = Outgoing::new(events.clone(), body);
        event.payload.bid = create.payload.bid.clone(); // The job's business id.
        event.payload.need_reply = Some(need_reply.clone());
        link.send(&event)?;
        if need_reply == NeedReply::Yes {
            let ack = link.expect::<OtaProgressReply>()?;
            let same = ack.payload.tid == event.payload.tid;
            ensure(same, "the acknowledgement of another event")?;
        }
    }
    Ok(())
}

/// DJI log upload: list the log files of each module asked for.
fn dji_log_list(link: &mut Link) -> Result<()> {
    let list = link.expect::<FileuploadList>()?;
    let files = list.payload.data.module_list.iter().map(|module| {
        let sn = if *module == Module::Aircraft {
            AIRCRAFT_SN
        } else {
            GATEWAY_SN
        };
        // Boot 1: ten minutes of logs, 4 KiB.
        let file = LogFile::new(1, 1_700_000_000_000, 1_700_000_600_000, 4096);
        DeviceLogs::new(sn, LogResult::Success, module.clone(), vec![file])
    });
    link.send(&list.reply(FileuploadListReply::new(files.collect())))
}
