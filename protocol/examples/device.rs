//! The device side of four file-transfer flows, over a real MQTT broker, on the conversation
//! engine (`iotxfer::engine`): it downloads a file with Tencent `$resource`, asks Huawei
//! `$file_manager` where to upload a log, then answers a DJI firmware upgrade with its progress
//! (each report of the job built by the engine, which waits for its acknowledgement) and lists
//! its DJI log files. Every message it receives must pass `iotxfer::check`; a fault, a rule the
//! platform broke, or 50 s without the flows done ends it with exit code 1.
//!
//! `--fault MODE` plays a fault of the device, to show what the platform's engine makes of it:
//! `drop-first-reply` ignores the first attempt of each request that asks for its reply (the
//! platform's retry, with a fresh `tid`, is answered), `duplicate` publishes every message
//! twice (as a QoS 1 redelivery would), `silent` answers no request of the platform (it still
//! sends its own, then stops 12 s after the first request it ignored).
//!
//! Start a broker, then the platform (the `platform` example), then the device:
//!
//! ```sh
//! cargo run -p iotxfer --example platform -- --broker mqtt://127.0.0.1:1883
//! cargo run -p iotxfer --example device -- --broker mqtt://127.0.0.1:1883 [--fault MODE]
//! ```

mod mqtt;

use std::process::ExitCode;

use mqtt::{Driver, Fault, Result, ensure};

use iotxfer::dji::firmware::{
    FirmwareResult, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaProgress, OtaProgressDetail,
    OtaProgressOutput,
};
use iotxfer::dji::log_upload::{
    DeviceLogs, FileuploadList, FileuploadListReply, LogFile, LogFileRequired, LogResult,
};
use iotxfer::dji::{Module, TaskStatus};
use iotxfer::huawei::file_manager::GetUploadUrl;
use iotxfer::tencent::resource::{
    GetDownloadTask, Progress, ReportDownloadProgress, ResourceResult, TransferState,
};
use iotxfer::{Direction, dji, huawei, tencent};

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
    let mut driver = Driver::connect("device", Direction::Up, &filters, true)?;
    tencent_download(&mut driver)?;
    huawei_upload_url(&mut driver)?;
    if driver.fault == Fault::Silent {
        return driver.close();
    }
    dji_firmware(&mut driver)?;
    dji_log_list(&mut driver)?;
    driver.close()
}

/// Tencent `$resource`: ask for the download task, then report the download until it is done,
/// each report acknowledged.
fn tencent_download(driver: &mut Driver) -> Result<()> {
    let up = tencent::ResourceUpTopic::new(PRODUCT_ID, DEVICE_NAME)?;
    let ask = driver.message(up.clone(), GetDownloadTask::new());
    let call = driver.engine.call(ask, driver.now())?;
    let task = driver.reply(&call)?.payload;
    println!("device: downloading {} from {}", task.name, task.url);
    for (state, percent) in [(TransferState::Downloading, 50), (TransferState::Done, 100)] {
        let mut progress = Progress::new(state, ResourceResult::Success, "");
        progress.percent = Some(percent);
        let report = ReportDownloadProgress::new(&task.name, progress);
        let report = driver.message(up.clone(), report);
        // The engine waits for each acknowledgement; `reply` and `close` pass them over.
        let _ = driver.engine.call(report, driver.now())?;
    }
    Ok(())
}

/// Huawei `$file_manager`: ask where to upload a log file.
fn huawei_upload_url(driver: &mut Driver) -> Result<()> {
    let up = huawei::EventsUpTopic::new(DEVICE_ID)?;
    let ask = driver.message(up, GetUploadUrl::new("device.log"));
    let call = driver.engine.call(ask, driver.now())?;
    for event in &driver.reply(&call)?.payload.services {
        println!("device: uploading device.log to {}", event.paras.url);
    }
    Ok(())
}

/// DJI firmware: accept `ota_create`, then report the job's progress until it is done; the
/// engine names the job in each report, asks for its acknowledgement and waits for it.
fn dji_firmware(driver: &mut Driver) -> Result<()> {
    let incoming = driver.incoming()?;
    let job = incoming.job().cloned().ok_or("ota_create names no job")?;
    let (_, responder) = incoming.take::<OtaCreate>().map_err(|_| "not ota_create")?;
    let accepted = OtaCreateOutput::new(TaskStatus::InProgress);
    let reply = OtaCreateReply::new(FirmwareResult::Success, accepted);
    driver.engine.respond(responder, reply, driver.now())?;
    let events = dji::EventsTopic::new(GATEWAY_SN)?;
    let steps = [
        (TaskStatus::InProgress, 40),
        (TaskStatus::InProgress, 80),
        (TaskStatus::Ok, 100),
    ];
    for (status, percent) in steps {
        let output = OtaProgressOutput::new(status, OtaProgressDetail::new(percent));
        let report = driver.message(
            events.clone(),
            OtaProgress::new(FirmwareResult::Success, output),
        );
        let asked = driver.engine.report(&job, report, driver.now())?;
        ensure(
            asked.is_some(),
            "an ota_progress event that asks for no acknowledgement",
        )?;
    }
    Ok(()) // Its acknowledgements may come after the next request: closing waits for them.
}

/// DJI log upload: list the log files of each module asked for.
fn dji_log_list(driver: &mut Driver) -> Result<()> {
    let (list, responder) = driver.request::<FileuploadList>()?;
    let files = list.payload.data.module_list.iter().map(|module| {
        let sn = if *module == Module::Aircraft {
            AIRCRAFT_SN
        } else {
            GATEWAY_SN
        };
        // Boot 1: ten minutes of logs, 4 KiB.
        let file = LogFile::new(LogFileRequired {
            boot_index: 1,
            start_time: 1_700_000_000_000,
            end_time: 1_700_000_600_000,
            size: 4096,
        });
        DeviceLogs::new(sn, LogResult::Success, module.clone(), vec![file])
    });
    let reply = FileuploadListReply::new(files.collect());
    Ok(driver.engine.respond(responder, reply, driver.now())?)
}
