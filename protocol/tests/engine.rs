//! The conversation engine, one side against the other, message by message.

use iotxfer::dji::firmware::{
    FirmwareResult, FirmwareUpgradeType, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaDevice,
    OtaDeviceRequired, OtaProgress, OtaProgressDetail, OtaProgressOutput,
};
use iotxfer::dji::{self, TaskStatus};
use iotxfer::engine::{Engine, Event, Options, Transmit};
use iotxfer::{Direction, Stamp};

/// Ids `p-1`, `p-2`, ... : payloads a test can foresee.
struct Counter(&'static str, u32);

impl Stamp for Counter {
    fn id(&mut self) -> String {
        self.1 += 1;
        format!("{}-{}", self.0, self.1)
    }
    fn now_ms(&mut self) -> i64 {
        0
    }
}

fn engines() -> (Engine, Engine) {
    let platform = Engine::with_ids(
        Direction::Down,
        Options::default(),
        Box::new(Counter("p", 0)),
    );
    let device = Engine::with_ids(Direction::Up, Options::default(), Box::new(Counter("d", 0)));
    (platform, device)
}

fn transmits(engine: &mut Engine) -> Vec<Transmit> {
    std::iter::from_fn(|| engine.poll_transmit()).collect()
}

fn events(engine: &mut Engine) -> Vec<Event> {
    std::iter::from_fn(|| engine.poll_event()).collect()
}

fn deliver(from: &mut Engine, to: &mut Engine, now: i64) -> usize {
    let sent = transmits(from);
    for t in &sent {
        to.receive(&t.topic, &t.payload, now);
    }
    sent.len()
}

/// The dock's reply that accepts an upgrade.
fn accepted() -> OtaCreateReply {
    OtaCreateReply::new(
        FirmwareResult::Success,
        OtaCreateOutput::new(TaskStatus::InProgress),
    )
}

fn ota_create(platform: &mut Engine, now: i64) -> iotxfer::Outgoing<OtaCreate> {
    let device = OtaDevice::new(OtaDeviceRequired {
        sn: "DOCK-1".into(),
        product_version: "10.01.0001".into(),
        file_url: "https://files.example.com/dock.zip".into(),
        md5: "0123456789abcdef0123456789abcdef".into(),
        file_size: 4096,
        file_name: "dock.zip".into(),
        firmware_upgrade_type: FirmwareUpgradeType::Normal,
    });
    let topic = dji::ServicesTopic::new("DOCK-1").unwrap();
    platform.message(topic, OtaCreate::new(vec![device]), now)
}

#[test]
fn a_dji_upgrade_is_called_answered_reported_and_acknowledged() {
    let (mut platform, mut device) = engines();
    let create = ota_create(&mut platform, 1_000_000);
    let call = platform.call(create, 1_000_000).unwrap();
    assert_eq!(deliver(&mut platform, &mut device, 1_100_000), 1);
    let Some(Event::Request(incoming)) = device.poll_event() else {
        panic!("no request");
    };
    let job = incoming.job().cloned().expect("ota_create starts a job");
    let (_, responder) = incoming.take::<OtaCreate>().unwrap();
    let accepted = accepted();
    device.respond(responder, accepted, 1_200_000).unwrap();
    deliver(&mut device, &mut platform, 1_300_000);
    let answered = events(&mut platform);
    assert_eq!(answered.len(), 1, "{answered:?}");
    assert!(call.reply(&answered[0]).is_some(), "{answered:?}");

    let events_topic = dji::EventsTopic::new("DOCK-1").unwrap();
    for (status, percent) in [(TaskStatus::InProgress, 50), (TaskStatus::Ok, 100)] {
        let output = OtaProgressOutput::new(status, OtaProgressDetail::new(percent));
        let body = OtaProgress::new(FirmwareResult::Success, output);
        let report = device.message(events_topic.clone(), body, 2_000_000);
        let ack = device.report(&job, report, 2_000_000).unwrap();
        assert!(ack.is_some(), "DJI events ask for their acknowledgement");
    }
    deliver(&mut device, &mut platform, 2_100_000);
    let seen = events(&mut platform);
    assert!(
        matches!(&seen[0], Event::Progress { percent: Some(50), job: j, .. } if Some(j) == call.job()),
        "{seen:?}"
    );
    assert!(
        matches!(&seen[1], Event::Finished { status, .. } if status == "ok"),
        "{seen:?}"
    );
    assert_eq!(
        deliver(&mut platform, &mut device, 2_200_000),
        2,
        "two acknowledgements"
    );
    let acks = events(&mut device);
    assert!(
        acks.iter().all(|e| matches!(e, Event::Answered { .. })),
        "{acks:?}"
    );
    assert_eq!(device.open_calls(), 0);
    assert_eq!(platform.open_calls(), 0);
}

#[test]
fn an_unanswered_dji_command_is_sent_three_times_with_fresh_tids_then_times_out() {
    let (mut platform, _) = engines();
    let create = ota_create(&mut platform, 0);
    let call = platform.call(create, 0).unwrap();
    let mut tids = Vec::new();
    let mut now = 0;
    loop {
        for t in transmits(&mut platform) {
            let v: serde_json::Value = serde_json::from_slice(&t.payload).unwrap();
            tids.push(v["tid"].as_str().unwrap().to_owned());
            assert_eq!(v["timestamp"], now / 1000);
        }
        let Some(wake) = platform.next_wake() else {
            break;
        };
        now = wake;
        platform.wake(now);
        let seen = events(&mut platform);
        if let Some(Event::TimedOut {
            call: c,
            attempts,
            request,
        }) = seen.iter().find(|e| matches!(e, Event::TimedOut { .. }))
        {
            assert_eq!(
                (*c, *attempts, *request),
                (call.id(), 3, "dji/firmware/ota_create")
            );
            break;
        }
    }
    assert_eq!(tids.len(), 3, "{tids:?}");
    tids.dedup();
    assert_eq!(tids.len(), 3, "fresh tids: {tids:?}");
    assert_eq!(now, 9_000_000, "3 s per attempt");
}

/// Every `ack` of the definitions, sent by the engine for a request that asks for its reply:
/// one reply, which keeps its contract, and no request for the application.
#[cfg(feature = "proptest")]
#[test]
fn every_acknowledgement_of_the_definitions_is_sent_and_keeps_its_contract() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let acked = iotxfer::catalog::messages().iter().filter_map(|request| {
        let reply = iotxfer::catalog::message(request.reply?)?;
        reply.ack.map(|_| (request, reply))
    });
    let mut count = 0;
    for (request, reply) in acked {
        count += 1;
        let side = reply.direction;
        let topic = example_topic(request.topic);
        for _ in 0..20 {
            let mut payload = request.arbitrary().new_tree(&mut runner).unwrap().current();
            for ask in request.reply_when {
                let value = serde_json::from_str(ask.value).unwrap();
                // `reply_when` names top-level envelope fields.
                let name = ask.pointer.trim_start_matches('/').to_owned();
                payload.as_object_mut().unwrap().insert(name, value);
            }
            let bytes = serde_json::to_vec(&payload).unwrap();
            let mut engine = Engine::with_ids(side, Options::default(), Box::new(Counter("a", 0)));
            engine.receive(&topic, &bytes, 0);
            let sent = transmits(&mut engine);
            let asked = events(&mut engine);
            assert!(
                !asked.iter().any(|e| matches!(e, Event::Request(_))),
                "{}: {asked:?}",
                request.id
            );
            assert_eq!(sent.len(), 1, "{}: {sent:?}", request.id);
            assert_eq!(sent[0].message, reply.id);
            let checked = iotxfer::check(&sent[0].topic, &sent[0].payload);
            assert_eq!(
                checked.verdict,
                iotxfer::Verdict::Conforms,
                "{}: {checked:?}",
                reply.id
            );
        }
    }
    assert!(count >= 4, "the definitions give {count} acknowledgements");
}

/// A topic name of `pattern`, each parameter a device's name.
#[cfg(feature = "proptest")]
fn example_topic(pattern: &str) -> String {
    let mut out = String::new();
    for level in pattern.split('/') {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(if level.starts_with('{') {
            "dev1"
        } else {
            level
        });
    }
    out
}

mod tencent_and_huawei {
    use super::*;
    use iotxfer::huawei::{
        self,
        file_manager::{GetUploadUrl, GetUploadUrlResponse},
    };
    use iotxfer::tencent::{self, resource::*};

    fn up() -> tencent::ResourceUpTopic {
        tencent::ResourceUpTopic::new("PRODUCT", "dev1").unwrap()
    }

    fn report(device: &mut Engine, job: &Job, state: TransferState, percent: i64, now: i64) {
        let mut progress = Progress::new(state, ResourceResult::Success, "");
        progress.percent = Some(percent);
        let body = ReportDownloadProgress::new("ignored", progress);
        let report = device.message(up(), body, now);
        assert!(device.report(job, report, now).unwrap().is_some());
    }

    use iotxfer::engine::Job;

    #[test]
    fn a_tencent_download_is_answered_and_its_reports_acknowledged_by_the_engine() {
        let (mut platform, mut device) = engines();
        let ask = device.message(up(), GetDownloadTask::new(), 0);
        let call = device.call(ask, 0).unwrap();
        deliver(&mut device, &mut platform, 1);
        let Some(Event::Request(incoming)) = platform.poll_event() else {
            panic!()
        };
        let (_, responder) = incoming.take::<GetDownloadTask>().unwrap();
        let md5 = "0123456789abcdef0123456789abcdef";
        let task = GetDownloadTaskRsp::new(GetDownloadTaskRspRequired {
            size: 10,
            name: "voice.bin".into(),
            md5sum: md5.into(),
            url: "https://x/voice.bin".into(),
        });
        platform.respond(responder, task, 2).unwrap();
        deliver(&mut platform, &mut device, 3);
        let answered = events(&mut device);
        let task = call.reply(&answered[0]).expect("the task").payload;
        // The job is the resource's name: the reports name it, whatever their body said.
        let job = Job {
            device: "PRODUCT/dev1".into(),
            family: "tencent/resource".into(),
            key: vec![format!("\"{}\"", task.name)],
        };
        report(&mut device, &job, TransferState::Downloading, 50, 4);
        report(&mut device, &job, TransferState::Done, 100, 5);
        deliver(&mut device, &mut platform, 6);
        let seen = events(&mut platform);
        assert!(
            matches!(
                &seen[0],
                Event::Progress {
                    percent: Some(50),
                    ..
                }
            ),
            "{seen:?}"
        );
        assert!(
            matches!(&seen[1], Event::Finished { status, job: j, .. } if status == "done" && j.key == job.key),
            "{seen:?}"
        );
        assert_eq!(
            deliver(&mut platform, &mut device, 7),
            2,
            "the engine acknowledged both"
        );
        assert_eq!(device.open_calls(), 0, "{:?}", events(&mut device));
    }

    #[test]
    fn a_huawei_upload_url_is_asked_and_answered() {
        let (mut platform, mut device) = engines();
        let up = huawei::EventsUpTopic::new("dev1").unwrap();
        let ask = device.message(up, GetUploadUrl::new("a.log"), 0);
        let call = device.call(ask, 0).unwrap();
        deliver(&mut device, &mut platform, 1);
        let Some(Event::Request(incoming)) = platform.poll_event() else {
            panic!()
        };
        let (_, responder) = incoming.take::<GetUploadUrl>().unwrap();
        platform
            .respond(responder, GetUploadUrlResponse::new("https://obs/a.log"), 2)
            .unwrap();
        deliver(&mut platform, &mut device, 3);
        let answered = events(&mut device);
        assert!(call.reply(&answered[0]).is_some(), "{answered:?}");
    }
}

#[test]
fn a_request_that_reuses_an_open_requests_tid_is_refused() {
    let (mut platform, _) = engines();
    let first = ota_create(&mut platform, 0);
    let again = first.clone();
    let _call = platform.call(first, 0).unwrap();
    let refused = platform.call(again, 0).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "dji/firmware/ota_create: `/tid` is that of an open request of the same device"
    );
}

#[test]
fn a_retry_of_an_answered_request_gets_the_same_answer_and_a_redelivery_nothing() {
    let (mut platform, mut device) = engines();
    let create = ota_create(&mut platform, 0);
    let _call = platform.call(create, 0).unwrap();
    let first = transmits(&mut platform).remove(0);
    device.receive(&first.topic, &first.payload, 1);
    let Some(Event::Request(incoming)) = device.poll_event() else {
        panic!()
    };
    let (_, responder) = incoming.take::<OtaCreate>().unwrap();
    let body = accepted();
    device.respond(responder, body, 2).unwrap();
    let answer = transmits(&mut device).remove(0);
    // The reply is lost; the platform tries again after 3 s, with a fresh tid.
    platform.wake(3_000_000);
    let retry = transmits(&mut platform).remove(0);
    device.receive(&first.topic, &first.payload, 3_000_001); // A redelivery: nothing.
    assert!(transmits(&mut device).is_empty());
    device.receive(&retry.topic, &retry.payload, 3_000_002);
    assert!(
        events(&mut device).is_empty(),
        "no second request for the application"
    );
    let again = transmits(&mut device);
    assert_eq!(again.len(), 1);
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&answer.payload).unwrap(),
        serde_json::from_slice(&again[0].payload).unwrap(),
    );
    assert_eq!(a["data"], b["data"], "the same answer");
    let retried: serde_json::Value = serde_json::from_slice(&retry.payload).unwrap();
    assert_eq!(b["tid"], retried["tid"], "for the retry's tid");
    platform.receive(&again[0].topic, &again[0].payload, 3_100_000);
    assert!(matches!(
        platform.poll_event(),
        Some(Event::Answered { .. })
    ));
}

#[test]
fn a_quiet_job_stalls_and_progress_going_back_is_the_devices_violation() {
    let options = Options {
        stall_ms: Some(10_000),
        ..Options::default()
    };
    let mut platform = Engine::with_ids(Direction::Down, options, Box::new(Counter("p", 0)));
    let mut device = Engine::with_ids(Direction::Up, Options::default(), Box::new(Counter("d", 0)));
    let create = ota_create(&mut platform, 0);
    let call = platform.call(create, 0).unwrap();
    deliver(&mut platform, &mut device, 1);
    let Some(Event::Request(incoming)) = device.poll_event() else {
        panic!()
    };
    let job = incoming.job().cloned().unwrap();
    let (_, responder) = incoming.take::<OtaCreate>().unwrap();
    let body = accepted();
    device.respond(responder, body, 2).unwrap();
    let events_topic = dji::EventsTopic::new("DOCK-1").unwrap();
    for (percent, now) in [(60, 3_000), (40, 5_000)] {
        let output =
            OtaProgressOutput::new(TaskStatus::InProgress, OtaProgressDetail::new(percent));
        let report = device.message(
            events_topic.clone(),
            OtaProgress::new(FirmwareResult::Success, output),
            now,
        );
        let _ack = device.report(&job, report, now).unwrap();
    }
    deliver(&mut device, &mut platform, 4);
    let seen = events(&mut platform);
    let broken: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Violation(f) => Some(f.rule),
            _ => None,
        })
        .collect();
    assert_eq!(broken, ["dji/firmware/ota_progress_forward"], "{seen:?}");
    platform.wake(10_000_004);
    let stalled = events(&mut platform);
    assert!(
        stalled
            .iter()
            .any(|e| matches!(e, Event::Stalled { job: j } if Some(j) == call.job())),
        "{stalled:?}"
    );
}

#[test]
fn an_engine_moves_between_threads_and_send_refuses_a_request_that_asks_for_its_reply() {
    fn movable<T: Send>() {}
    movable::<Engine>();
    let (mut platform, _) = engines();
    let create = ota_create(&mut platform, 0);
    let refused = platform.send(create, 0).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "dji/firmware/ota_create asks for its reply: call it"
    );
    assert!(platform.poll_transmit().is_none());
}

#[test]
fn next_wake_moves_on_once_woken_at() {
    // A request unanswered: the engine's monitor judges it only when its attempts' stay ends,
    // so the wake it asks for must pass, not stay at the deadline (engine_sim found the loop).
    let (mut platform, _) = engines();
    let create = ota_create(&mut platform, 0);
    let _call = platform.call(create, 0).unwrap();
    let mut now = 0;
    for _ in 0..100 {
        let _ = transmits(&mut platform);
        let _ = events(&mut platform);
        let Some(wake) = platform.next_wake() else {
            return;
        };
        assert!(wake > now, "woken at {now}, asked again for {wake}");
        now = wake;
        platform.wake(now);
    }
    panic!("still waking at {now}");
}

#[test]
fn identical_acknowledgements_each_answer_a_report() {
    // Tencent's `report_upload_progress_rsp` copies nothing of its report: the acknowledgements
    // of two reports are the same bytes, and neither is a redelivery (engine_sim found the
    // second report timing out).
    use iotxfer::tencent::ResourceUpTopic;
    use iotxfer::tencent::resource::{
        CreateUploadTask, CreateUploadTaskRequired, Progress, ReportUploadProgress, ResourceResult,
        TransferState,
    };
    let (mut platform, mut device) = engines();
    let topic = ResourceUpTopic::new("PRODUCT1", "dev1").unwrap();
    let md5 = "0123456789abcdef0123456789abcdef";
    let task = device.message(
        topic.clone(),
        CreateUploadTask::new(CreateUploadTaskRequired {
            size: 1,
            name: "a.jpg".into(),
            md5sum: md5.into(),
        }),
        0,
    );
    let call = device.call(task, 0).unwrap();
    let job = call.job().cloned().unwrap();
    for (i, percent) in [(1, 40), (2, 80)] {
        let mut progress = Progress::new(TransferState::Uploading, ResourceResult::Success, "");
        progress.percent = Some(percent);
        let body = ReportUploadProgress::new("a.jpg", progress);
        let report = device.message(topic.clone(), body, i * 1_000_000);
        device.report(&job, report, i * 1_000_000).unwrap();
    }
    let _ = deliver(&mut device, &mut platform, 3_000_000);
    let _ = events(&mut platform);
    let acks = transmits(&mut platform);
    assert_eq!(acks.len(), 2, "{acks:?}");
    assert_eq!(acks[0], acks[1], "the same bytes");
    for t in &acks {
        device.receive(&t.topic, &t.payload, 3_100_000);
    }
    let answered = events(&mut device);
    let answered = answered
        .iter()
        .filter(|e| matches!(e, Event::Answered { .. }));
    assert_eq!(answered.count(), 2);
    assert_eq!(device.open_calls(), 1, "create_upload_task is not answered");
}

#[test]
fn copies_of_a_request_without_ids_make_one_event_and_an_answer_each() {
    use iotxfer::tencent::ota::{ReportVersion, ReportVersionRsp, ReportVersionRspRequired};
    let (mut platform, _) = engines();
    let topic = "$ota/report/PRODUCT1/dev1";
    let report = br#"{"type":"report_version","report":{"version":"1.0.0"}}"#;
    platform.receive(topic, report, 1);
    platform.receive(topic, report, 2); // A redelivery, or the device asking again.
    let asked = events(&mut platform);
    assert_eq!(asked.len(), 1, "{asked:?}");
    let Some(Event::Request(incoming)) = asked.into_iter().next() else {
        panic!()
    };
    let (_, responder) = incoming.take::<ReportVersion>().unwrap();
    let rsp = ReportVersionRsp::new(ReportVersionRspRequired {
        result_code: 0,
        result_msg: "success".into(),
        version: "1.0.0".into(),
    });
    platform.respond(responder, rsp, 3).unwrap();
    assert_eq!(transmits(&mut platform).len(), 2, "each copy answered");
    platform.receive(topic, report, 4);
    assert!(
        events(&mut platform).is_empty(),
        "answered again, without an event"
    );
    assert_eq!(transmits(&mut platform).len(), 1);
}

#[test]
fn the_application_may_set_the_acknowledgement_body() {
    use iotxfer::dji::firmware::OtaProgressReply;
    let (mut platform, _) = engines();
    platform
        .set_acknowledgement::<OtaProgress>(OtaProgressReply::new(7))
        .unwrap();
    let event = br#"{"tid":"e1","bid":"b1","timestamp":1,"method":"ota_progress","need_reply":1,
        "data":{"result":0,"output":{"status":"in_progress","progress":{"percent":5}}}}"#;
    platform.receive("thing/product/DOCK-1/events", event, 1);
    let ack = transmits(&mut platform).remove(0);
    let ack: serde_json::Value = serde_json::from_slice(&ack.payload).unwrap();
    assert_eq!(
        (ack["tid"].as_str(), ack["data"]["result"].as_i64()),
        (Some("e1"), Some(7))
    );
}

/// The `ota_create` of `tid`, as the dock receives it.
fn create_bytes(tid: &str, bid: &str, timestamp: i64) -> Vec<u8> {
    format!(
        r#"{{"tid":"{tid}","bid":"{bid}","timestamp":{timestamp},"method":"ota_create","data":{{"devices":[{{
        "sn":"DOCK-1","product_version":"1.2","file_url":"https://example.com/fw.zip","file_size":1,
        "md5":"0123456789abcdef0123456789abcdef","file_name":"fw.zip","firmware_upgrade_type":2}}]}}}}"#
    )
    .into_bytes()
}

#[test]
fn each_attempt_received_while_the_application_answers_gets_the_answer_and_later_ones_are_new() {
    let (_, mut device) = engines();
    let services = "thing/product/DOCK-1/services";
    device.receive(services, &create_bytes("t1", "b1", 1), 0);
    let Some(Event::Request(incoming)) = device.poll_event() else {
        panic!()
    };
    // The cloud tries again after 3 s, with a fresh tid (and, as its demo may, a fresh bid).
    device.receive(services, &create_bytes("t2", "b2", 3_000), 3_000_000);
    assert!(
        events(&mut device).is_empty(),
        "an attempt of the same request"
    );
    let (_, responder) = incoming.take::<OtaCreate>().unwrap();
    let body = accepted();
    device.respond(responder, body, 4_000_000).unwrap();
    let tids: Vec<String> = transmits(&mut device)
        .iter()
        .map(|t| {
            serde_json::from_slice::<serde_json::Value>(&t.payload).unwrap()["tid"].to_string()
        })
        .collect();
    assert_eq!(tids, ["\"t1\"", "\"t2\""], "each attempt answered");
    // After the sender's window (three attempts of 3 s), the same command is a new one.
    device.receive(services, &create_bytes("t3", "b3", 10_000), 10_000_000);
    assert!(matches!(device.poll_event(), Some(Event::Request(_))));
}

#[test]
fn a_responder_of_another_engine_and_a_report_of_another_family_are_refused() {
    let (mut platform, mut device) = engines();
    device.receive(
        "thing/product/DOCK-1/services",
        &create_bytes("t1", "b1", 1),
        0,
    );
    let Some(Event::Request(incoming)) = device.poll_event() else {
        panic!()
    };
    let job = incoming.job().cloned().unwrap();
    let (_, responder) = incoming.take::<OtaCreate>().unwrap();
    let body = accepted();
    let refused = platform.respond(responder, body, 1).unwrap_err();
    assert_eq!(refused, iotxfer::engine::Error::UnknownResponder);
    let up = iotxfer::tencent::ResourceUpTopic::new("P", "d").unwrap();
    let other = device.message(up, iotxfer::tencent::resource::GetDownloadTask::new(), 2);
    let refused = device.report(&job, other, 2).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "tencent/resource/get_download_task reports no job of dji/firmware"
    );
}

#[test]
fn a_job_is_watched_by_the_side_its_reports_come_to_whoever_started_it() {
    use iotxfer::tencent::ResourceUpTopic;
    use iotxfer::tencent::resource::{CreateUploadTask, CreateUploadTaskRequired};
    let options = Options {
        stall_ms: Some(1_000),
        ..Options::default()
    };
    let mut device = Engine::with_ids(Direction::Up, options, Box::new(Counter("d", 0)));
    let mut platform = Engine::with_ids(Direction::Down, options, Box::new(Counter("p", 0)));
    let topic = ResourceUpTopic::new("PRODUCT1", "dev1").unwrap();
    let md5 = "0123456789abcdef0123456789abcdef";
    let required = CreateUploadTaskRequired {
        size: 1,
        name: "a.jpg".into(),
        md5sum: md5.into(),
    };
    let task = device.message(topic, CreateUploadTask::new(required), 0);
    let _call = device.call(task, 0).unwrap();
    deliver(&mut device, &mut platform, 1);
    let _asked = events(&mut platform);
    device.wake(5_000_000);
    platform.wake(5_000_000);
    let stalled = |e: &Vec<Event>| e.iter().any(|e| matches!(e, Event::Stalled { .. }));
    assert!(
        !stalled(&events(&mut device)),
        "the device reports the upload itself"
    );
    assert!(
        stalled(&events(&mut platform)),
        "the platform waits on its reports"
    );
}

#[test]
fn a_deadline_of_forever_overflows_nothing_and_an_earlier_attempts_tid_is_not_reused() {
    let forever = Options {
        deadline_ms: u64::MAX,
        ..Options::default()
    };
    let mut platform = Engine::with_ids(Direction::Down, forever, Box::new(Counter("p", 0)));
    platform.receive("thing/product/DOCK-1/services_reply", b"{}", i64::MAX - 1);
    let (mut platform, _) = engines();
    let create = ota_create(&mut platform, 0);
    let first = create.clone();
    let _call = platform.call(create, 0).unwrap();
    platform.wake(3_000_000); // The second attempt, with a fresh tid.
    let refused = platform.call(first, 3_000_001).unwrap_err();
    assert!(
        matches!(
            refused,
            iotxfer::engine::Error::Reused { field: "/tid", .. }
        ),
        "{refused}"
    );
}
