//! A tour of the crate: every topic the definitions know, then one message of each protocol
//! family decoded from the vendor documents' examples and encoded back.
//!
//! Run with `cargo run -p iotxfer --example tour`.

use iotxfer::{Message, catalog, dji, huawei, tencent};

/// One example per family, from the seed documents, as (topic, payload).
const SAMPLES: &[(&str, &str)] = &[
    (
        "$resource/up/service/ABCDEFGHIJ/dev001",
        r#"{"type":"report_upload_progress","name":"zxc","progress":{"state":"uploading","percent":89,"result_code":0,"result_msg":""}}"#,
    ),
    (
        "$oc/devices/d1234/sys/events/up",
        r#"{"object_device_id":"d1234","services":[{"service_id":"$file_manager","event_type":"download_result_report","event_time":"20151212T121212Z","paras":{"object_name":"c6b39067b0325db34663d3ef421a42f6_12345678_a.jpg","result_code":0,"status_code":200,"status_description":"download success"}}]}"#,
    ),
    (
        "thing/product/dock_sn/services",
        r#"{"bid":"b1","data":{"module_list":["0","3"]},"tid":"t1","timestamp":1654070968655,"method":"fileupload_list"}"#,
    ),
    (
        "thing/product/NM1923221021/events",
        r#"{"bid":"8ca0ffa2-5e72-4078-8fa9-dc68216ff5d1","data":{"output":{"progress":{"percent":0,"step":1,"step_key":"download_firmware"},"status":"failed","sub_status":"DOWNLOAD_FAILED"},"result":0},"tid":"74045eba-bd24-4106-b455-d3577f3cbf52","timestamp":1707048089244,"method":"ota_progress"}"#,
    ),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("Topics ({}):", catalog::topics().len());
    for t in catalog::topics() {
        let covered = if t.messages.is_empty() {
            "not covered".to_owned()
        } else {
            t.messages.join(", ")
        };
        println!(
            "  {:<50} {:<18} {covered}",
            t.pattern,
            t.direction.to_string()
        );
    }

    println!("\nDecoded examples:");
    for (topic, payload) in SAMPLES {
        let message = iotxfer::decode(topic, payload.as_bytes())?;
        println!("\n  {} on {topic}", message.id());
        println!("    {}", describe(&message));
        println!("    re-encoded: {}", message.as_delivery().to_json()?);
    }
    Ok(())
}

/// A line about the message, read from its typed fields.
fn describe(message: &Message) -> String {
    match message {
        Message::TencentResourceReportUploadProgress(m) => {
            let p = &m.payload.progress;
            let state: &tencent::resource::TransferState = &p.state;
            let percent = p
                .percent
                .map_or_else(|| "-".to_owned(), |p| format!("{p}%"));
            format!(
                "device {} uploads `{}`: {} at {percent}",
                m.topic.device_name(),
                m.payload.name,
                state.as_str()
            )
        }
        Message::HuaweiFileManagerDownloadResultReport(m) => {
            let paras = &m.payload.services[0].paras;
            let ok = paras.result_code == huawei::file_manager::TransferResult::Success;
            format!(
                "device {} downloaded `{}`: {}",
                m.topic.device_id(),
                paras.object_name,
                if ok { "success" } else { "failure" }
            )
        }
        Message::DjiLogUploadFileuploadList(m) => {
            let modules: Vec<&str> = m
                .payload
                .data
                .module_list
                .iter()
                .map(|module| {
                    if *module == dji::Module::Dock {
                        "dock"
                    } else {
                        "aircraft"
                    }
                })
                .collect();
            format!(
                "cloud asks gateway {} for the logs of: {}",
                m.topic.gateway_sn(),
                modules.join(", ")
            )
        }
        Message::DjiFirmwareOtaProgress(m) => {
            let output = &m.payload.data.output;
            format!(
                "gateway {} upgrade is {:?} at {}%",
                m.topic.gateway_sn(),
                output.status,
                output.progress.percent
            )
        }
        other => format!("{} (not described by this tour)", other.id()),
    }
}
