//! The platform side of four file-transfer flows, over a real MQTT broker, on the conversation
//! engine (`iotxfer::engine`): it answers a device's Tencent `$resource` download and Huawei
//! `$file_manager` upload requests, then runs a DJI firmware upgrade and lists the DJI log
//! files. The engine sends each DJI command again (3 s, twice more, each with a fresh `tid`)
//! when no reply comes, and acknowledges the device's progress reports itself. Every message it
//! receives must pass `iotxfer::check`; a fault, a rule the device broke, a command unanswered
//! after every attempt, or 50 s without the flows done ends it with exit code 1.
//!
//! Start a broker, then the platform, then the device (the `device` example):
//!
//! ```sh
//! cargo run -p iotxfer --example platform -- --broker mqtt://127.0.0.1:1883
//! cargo run -p iotxfer --example device -- --broker mqtt://127.0.0.1:1883
//! ```

mod mqtt;

use std::process::ExitCode;

use mqtt::{Driver, Result, ensure};

use iotxfer::dji::firmware::{
    FirmwareResult, FirmwareUpgradeType, OtaCreate, OtaDevice, OtaDeviceRequired,
};
use iotxfer::dji::log_upload::FileuploadList;
use iotxfer::dji::{Module, TaskStatus};
use iotxfer::engine::Event;
use iotxfer::huawei::file_manager::{GetUploadUrl, GetUploadUrlResponse};
use iotxfer::tencent::resource::{GetDownloadTask, GetDownloadTaskRsp, GetDownloadTaskRspRequired};
use iotxfer::{Direction, Topic, dji, huawei, tencent};

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
    let mut driver = Driver::connect("platform", Direction::Down, &filters, false)?;
    println!("platform: subscribed; waiting for the device");
    tencent_download(&mut driver)?;
    huawei_upload_url(&mut driver)?;
    // The device has spoken, so it is subscribed: the platform can start the DJI jobs.
    let services = dji::ServicesTopic::new(GATEWAY_SN)?;
    dji_firmware(&mut driver, &services)?;
    dji_log_list(&mut driver, &services)?;
    driver.close()
}

/// Tencent `$resource`: the device asks for its download task, then reports its progress,
/// which the engine acknowledges.
fn tencent_download(driver: &mut Driver) -> Result<()> {
    let (_, responder) = driver.request::<GetDownloadTask>()?;
    let url = "https://files.example.com/voice.bin";
    let task = GetDownloadTaskRsp::new(GetDownloadTaskRspRequired {
        size: 4096,
        name: "voice.bin".into(),
        md5sum: MD5.into(),
        url: url.into(),
    });
    driver.engine.respond(responder, task, driver.now())?;
    loop {
        match driver.next_event()? {
            Event::Progress { percent, .. } => println!("platform: download at {percent:?}%"),
            Event::Finished { status, .. } => return ensure(status == "done", &status),
            other => return Err(format!("the download: {other:?}").into()),
        }
    }
}

/// Huawei `$file_manager`: the device asks where to upload a file.
fn huawei_upload_url(driver: &mut Driver) -> Result<()> {
    let (_, responder) = driver.request::<GetUploadUrl>()?;
    let url = GetUploadUrlResponse::new("https://obs.example.com/uploads/device.log");
    Ok(driver.engine.respond(responder, url, driver.now())?)
}

/// DJI firmware: `ota_create`, sent again until it is answered, then the job's progress until
/// it ends; the engine acknowledges each event that asks for it.
fn dji_firmware(driver: &mut Driver, services: &dji::ServicesTopic) -> Result<()> {
    let url = "https://files.example.com/dock.zip";
    let firmware = OtaDevice::new(OtaDeviceRequired {
        sn: GATEWAY_SN.into(),
        product_version: "10.01.0001".into(),
        file_url: url.into(),
        md5: MD5.into(),
        file_size: 4096,
        file_name: "dock.zip".into(),
        firmware_upgrade_type: FirmwareUpgradeType::Normal,
    });
    let create = driver.message(services.clone(), OtaCreate::new(vec![firmware]));
    let call = driver.engine.call(create, driver.now())?;
    let reply = driver.reply(&call)?;
    let accepted = reply.payload.data.result == FirmwareResult::Success;
    ensure(accepted, "the device refused the upgrade")?;
    loop {
        match driver.next_event()? {
            Event::Progress { job, percent, .. } if Some(&job) == call.job() => {
                println!("platform: firmware at {percent:?}%");
            }
            Event::Finished { job, status, .. } if Some(&job) == call.job() => {
                let ok = status == TaskStatus::Ok.to_string();
                return ensure(ok, &format!("the upgrade ended `{status}`"));
            }
            other => return Err(format!("the upgrade: {other:?}").into()),
        }
    }
}

/// DJI log upload: which log files the dock and its aircraft hold.
fn dji_log_list(driver: &mut Driver, services: &dji::ServicesTopic) -> Result<()> {
    let list = FileuploadList::new(vec![Module::Dock, Module::Aircraft]);
    let list = driver.message(services.clone(), list);
    let call = driver.engine.call(list, driver.now())?;
    for logs in driver.reply(&call)?.payload.data.files {
        let count = logs.list.len();
        println!("platform: {} holds {count} log files", logs.device_sn);
    }
    Ok(())
}
