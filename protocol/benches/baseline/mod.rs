//! What both decode benches measure: the messages, and what a careful team writes by hand to
//! read them.

use std::hint::black_box;

use serde::Deserialize;

/// The messages, compacted from the seed documents, with a topic each.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "dji_ota_progress",
        "thing/product/NM1923221021/events",
        r#"{"bid":"8ca0ffa2-5e72-4078-8fa9-dc68216ff5d1","data":{"output":{"progress":{"percent":0,"step":1,"step_key":"download_firmware"},"status":"failed","sub_status":"DOWNLOAD_FAILED"},"result":0},"tid":"74045eba-bd24-4106-b455-d3577f3cbf52","timestamp":1707048089244,"method":"ota_progress"}"#,
    ),
    (
        "dji_fileupload_progress",
        "thing/product/dock_sn/events",
        r#"{"bid":"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx","data":{"output":{"ext":{"files":[{"device_sn":"drone_sn","fingerprint":"4f65b891f3bc09bdb6d4c36a996b532d","key":"4bf0039f-6434-44a8-b891-8d7b6b7ff138/drone_sn/video_20220621_110830.log","module":"0","progress":{"current_step":19,"finish_time":1655781395926,"progress":100,"result":0,"status":"ok","upload_rate":0},"size":155232}]},"status":"ok"},"result":0},"gateway":"dock_sn","need_reply":0,"tid":"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxx","timestamp":1655781395926,"method":"fileupload_progress"}"#,
    ),
    (
        "tencent_report_upload_progress",
        "$resource/up/service/ABCDEFGHIJ/dev001",
        r#"{"type":"report_upload_progress","name":"zxc","progress":{"state":"uploading","percent":89,"result_code":0,"result_msg":""}}"#,
    ),
    (
        "huawei_download_result_report",
        "$oc/devices/d1234/sys/events/up",
        r#"{"object_device_id":"d1234","services":[{"service_id":"$file_manager","event_type":"download_result_report","event_time":"20151212T121212Z","paras":{"object_name":"c6b39067b0325db34663d3ef421a42f6_12345678_a.jpg","result_code":0,"status_code":200,"status_description":"download success"}}]}"#,
    ),
];

/// What a careful team writes by hand for each message: owned strings, and unit enums wherever
/// the documents list the values (as the crate does), no paths.
// The baseline only decodes; nothing reads the fields.
#[allow(dead_code)]
mod hand_written {
    use super::Deserialize;

    #[derive(Deserialize)]
    pub struct DjiEnvelope<T> {
        pub tid: String,
        pub bid: String,
        pub timestamp: i64,
        pub method: String,
        pub gateway: Option<String>,
        pub need_reply: Option<i64>,
        pub data: T,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Status {
        Canceled,
        Failed,
        InProgress,
        Ok,
        Paused,
        Rejected,
        Sent,
        Timeout,
        FilePull,
        FileZip,
        FileUploading,
    }

    #[derive(Deserialize)]
    pub struct OtaProgress {
        pub result: i64,
        pub output: OtaOutput,
    }

    #[derive(Deserialize)]
    pub struct OtaOutput {
        pub status: Status,
        pub sub_status: Option<SubStatus>,
        pub progress: OtaDetail,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum SubStatus {
        Unknown,
        Verify,
        VerifySuccess,
        Upgrading,
        UpgradeSuccess,
        UpgradeFail,
        Downloading,
        DownloadSuccess,
        DownloadFailed,
        UploadingDrone,
        VerifyFailed,
    }

    #[derive(Deserialize)]
    pub struct OtaDetail {
        pub percent: i64,
        pub step_key: Option<Step>,
        pub current_step: Option<StepOrCode>,
        pub step: Option<i64>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Step {
        DownloadFirmware,
        UpgradeFirmware,
    }

    /// DJI's documents send the step's name, its cloud demo the number.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum StepOrCode {
        Name(Step),
        Code(i64),
    }

    #[derive(Deserialize)]
    pub struct FileuploadProgress {
        pub result: i64,
        pub output: UploadOutput,
    }

    #[derive(Deserialize)]
    pub struct UploadOutput {
        pub ext: UploadExt,
        pub status: Option<Status>,
    }

    #[derive(Deserialize)]
    pub struct UploadExt {
        pub files: Vec<UploadFile>,
    }

    #[derive(Deserialize)]
    pub struct UploadFile {
        pub module: Module,
        pub size: i64,
        pub device_sn: String,
        pub key: String,
        pub fingerprint: String,
        pub progress: UploadProgress,
    }

    /// A number the documents send as a string: `"0"` or `"3"`.
    #[derive(Deserialize)]
    pub enum Module {
        #[serde(rename = "0")]
        Aircraft,
        #[serde(rename = "3")]
        Dock,
    }

    #[derive(Deserialize)]
    pub struct UploadProgress {
        pub progress: i64,
        pub finish_time: i64,
        pub upload_rate: f64,
        pub current_step: Option<i64>,
        pub total_step: Option<i64>,
        pub status: Option<Status>,
        pub result: Option<i64>,
    }

    #[derive(Deserialize)]
    pub struct TencentProgressReport {
        pub r#type: String,
        pub name: String,
        pub progress: TencentProgress,
    }

    #[derive(Deserialize)]
    pub struct TencentProgress {
        pub state: TransferState,
        pub percent: Option<i64>,
        pub result_code: i64,
        pub result_msg: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum TransferState {
        Uploading,
        Downloading,
        Done,
        Fail,
    }

    #[derive(Deserialize)]
    pub struct HuaweiEvents {
        pub object_device_id: Option<String>,
        pub services: Vec<HuaweiEvent>,
    }

    #[derive(Deserialize)]
    pub struct HuaweiEvent {
        pub service_id: String,
        pub event_type: String,
        pub event_time: Option<String>,
        pub paras: DownloadResult,
    }

    #[derive(Deserialize)]
    pub struct DownloadResult {
        pub object_name: String,
        pub result_code: i64,
        pub status_code: Option<i64>,
        pub status_description: Option<String>,
    }
}

/// Reads message `name` into its hand-written struct from `read`: the payload's text, once its
/// bytes are checked as UTF-8 (the faster of the two ways a careful engineer writes, and the
/// way `iotxfer` reads), or its bytes, which `serde_json` checks string by string.
pub fn hand_written<'a, R: serde_json::de::Read<'a>>(name: &str, read: R) -> bool {
    use hand_written::*;
    let mut de = serde_json::Deserializer::new(read);
    let read = match name {
        "dji_ota_progress" => DjiEnvelope::<OtaProgress>::deserialize(&mut de).map(drop),
        "dji_fileupload_progress" => {
            DjiEnvelope::<FileuploadProgress>::deserialize(&mut de).map(drop)
        }
        "tencent_report_upload_progress" => TencentProgressReport::deserialize(&mut de).map(drop),
        _ => HuaweiEvents::deserialize(&mut de).map(drop),
    };
    black_box(read.and_then(|()| de.end())).is_ok()
}
