//! Building, encoding and answering messages through the types, for every vendor: what is
//! built decodes as what was built and keeps the contract, and a reply carries what the
//! definitions correlate and goes to the reply topic.

use iotxfer::{Body, ErrorKind, Message, Outgoing, Received, Request, Stamp, Verdict};

/// Ids `id-1`, `id-2`, ... and a fixed time, so that payloads can be compared.
struct Counter(u32);

impl Stamp for Counter {
    fn id(&mut self) -> String {
        self.0 += 1;
        format!("id-{}", self.0)
    }

    fn now_ms(&mut self) -> i64 {
        1_700_000_000_000
    }
}

/// Encodes `out`, checks it keeps the contract, and decodes it as `B` again.
fn over_the_wire<B: Body>(out: &Outgoing<B>) -> Received<B> {
    let (topic, payload) = out.encode().expect("encodes");
    let checked = iotxfer::check(&topic, &payload);
    assert_eq!(checked.verdict, Verdict::Conforms, "{topic}: {checked:?}");
    let back = iotxfer::decode_as::<B>(&topic, &payload).expect("decodes as built");
    assert_eq!(back.payload, out.payload);
    back
}

#[test]
fn a_dji_service_call_is_answered_with_its_tid_bid_and_method() {
    use iotxfer::dji::firmware::{
        FirmwareResult, FirmwareUpgradeType, OtaCreate, OtaCreateOutput, OtaCreateReply, OtaDevice,
        OtaDeviceRequired,
    };
    let mut stamp = Counter(0);
    let device = OtaDevice::new(OtaDeviceRequired {
        sn: "4TADK1".into(),
        product_version: "1.2.0.69".into(),
        file_url: "https://example.com/fw.zip".into(),
        md5: "0123456789abcdef0123456789abcdef".into(),
        file_size: 1024,
        file_name: "fw.zip".into(),
        firmware_upgrade_type: FirmwareUpgradeType::Normal,
    });
    let topic = iotxfer::dji::ServicesTopic::new("4TADK1").expect("a valid serial number");
    let create = Outgoing::stamped(topic, OtaCreate::new(vec![device]), &mut stamp);
    assert_eq!(create.topic_name(), "thing/product/4TADK1/services");
    assert_eq!(
        (create.payload.tid.as_str(), create.payload.bid.as_str()),
        ("id-1", "id-2")
    );
    assert_eq!(create.payload.timestamp, 1_700_000_000_000);

    let received = over_the_wire(&create);
    assert!(received.expects_reply());
    let output = OtaCreateOutput::new(iotxfer::dji::TaskStatus::InProgress);
    let reply = received.reply_stamped(
        OtaCreateReply::new(FirmwareResult::Success, output),
        &mut stamp,
    );
    assert_eq!(reply.topic_name(), "thing/product/4TADK1/services_reply");
    assert_eq!(
        (reply.payload.tid.as_str(), reply.payload.bid.as_str()),
        ("id-1", "id-2")
    );
    let back = over_the_wire(&reply);
    assert_eq!(back.payload.method.value(), "ota_create");
}

#[test]
fn a_dji_event_asks_for_its_acknowledgement_only_with_need_reply_1() {
    use iotxfer::dji::NeedReply;
    use iotxfer::dji::firmware::{
        FirmwareResult, OtaProgress, OtaProgressDetail, OtaProgressOutput, OtaProgressReply,
    };
    let output = OtaProgressOutput::new(
        iotxfer::dji::TaskStatus::InProgress,
        OtaProgressDetail::new(40),
    );
    let topic = iotxfer::dji::EventsTopic::new("4TADK1").expect("a valid serial number");
    let mut event = Outgoing::new(topic, OtaProgress::new(FirmwareResult::Success, output));
    assert_ne!(event.payload.tid, event.payload.bid, "fresh ids");
    for (need_reply, expected) in [
        (None, false),
        (Some(NeedReply::No), false),
        (Some(NeedReply::Yes), true),
    ] {
        event.payload.need_reply = need_reply.clone();
        assert_eq!(
            over_the_wire(&event).expects_reply(),
            expected,
            "{need_reply:?}"
        );
    }
    let ack = over_the_wire(&event).reply(OtaProgressReply::new(0));
    assert_eq!(ack.topic_name(), "thing/product/4TADK1/events_reply");
    assert_eq!(
        (&ack.payload.tid, &ack.payload.bid),
        (&event.payload.tid, &event.payload.bid)
    );
    assert_eq!(ack.payload.need_reply, None);
    over_the_wire(&ack);
}

#[test]
fn a_huawei_response_goes_down_to_the_device_the_request_came_for() {
    use iotxfer::huawei::file_manager::{GetUploadUrl, GetUploadUrlResponse};
    let topic = iotxfer::huawei::EventsUpTopic::new("dev_1").expect("a valid device id");
    let mut request = Outgoing::new(topic, GetUploadUrl::new("a.log"));
    request.payload.object_device_id = Some("child_7".to_owned());
    let events = &request.payload.services;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_type.value(), "get_upload_url");

    let response = over_the_wire(&request).reply(GetUploadUrlResponse::new("https://obs/put"));
    assert_eq!(response.topic_name(), "$oc/devices/dev_1/sys/events/down");
    assert_eq!(
        response.payload.object_device_id.as_deref(),
        Some("child_7")
    );
    over_the_wire(&response);
}

#[test]
fn a_tencent_resource_request_is_answered_on_the_down_topic() {
    use iotxfer::tencent::resource::{
        GetDownloadTask, GetDownloadTaskRsp, GetDownloadTaskRspRequired,
    };
    let topic = iotxfer::tencent::ResourceUpTopic::new("PRODUCT1", "dev1").expect("valid");
    let ask = Outgoing::new(topic, GetDownloadTask::new());
    let answer = over_the_wire(&ask).reply(GetDownloadTaskRsp::new(GetDownloadTaskRspRequired {
        size: 10,
        name: "res.bin".into(),
        md5sum: "0123456789abcdef0123456789abcdef".into(),
        url: "https://example.com/res.bin".into(),
    }));
    assert_eq!(answer.topic_name(), "$resource/down/service/PRODUCT1/dev1");
    let (_, payload) = answer.encode().expect("encodes");
    let json: serde_json::Value = serde_json::from_slice(&payload).expect("JSON");
    assert_eq!(json["type"], "get_download_task_rsp");
    over_the_wire(&answer);
}

#[test]
fn a_tencent_file_answer_copies_the_request_id() {
    use iotxfer::tencent::file_management::{
        RequestUrl, RequestUrlResp, RequestUrlRespRequired, Resource, ResourceRequired,
        ResourceType,
    };
    let topic = iotxfer::tencent::ThingUpTopic::new("PRODUCT1", "dev1").expect("valid");
    let file = Resource::new(ResourceRequired {
        resource_name: "a.wav".into(),
        version: "1.0".into(),
        resource_type: ResourceType::Audio,
    });
    let ask = Outgoing::new(topic, RequestUrl::new(7, file));
    let answer = over_the_wire(&ask).reply(RequestUrlResp::new(RequestUrlRespRequired {
        result_code: 0,
        result_msg: String::new(),
        resource_url: "https://cos/put".into(),
        resource_token: "tok".into(),
        request_id: 0,
    }));
    assert_eq!(answer.payload.request_id, 7);
    assert_eq!(answer.topic_name(), "$thing/down/service/PRODUCT1/dev1");
    over_the_wire(&answer);
}

#[test]
fn generic_code_reaches_the_reply_type_and_topic() {
    fn reply_topic<Q: Request>(request: &Received<Q>) -> String {
        Q::reply_topic(&request.topic).to_string()
    }
    use iotxfer::dji::log_upload::FileuploadList;
    let topic = iotxfer::dji::ServicesTopic::new("SN9").expect("valid");
    let body = FileuploadList::new(vec![iotxfer::dji::Module::Dock]);
    let list = over_the_wire(&Outgoing::new(topic, body));
    assert_eq!(reply_topic(&list), "thing/product/SN9/services_reply");
}

#[test]
fn decode_as_names_the_message_it_got_instead() {
    use iotxfer::dji::firmware::{OtaCreate, OtaProgress};
    let topic = iotxfer::dji::ServicesTopic::new("SN9").expect("valid");
    let (name, payload) = Outgoing::new(topic, OtaCreate::new(vec![]))
        .encode()
        .expect("encodes");
    let err = iotxfer::decode_as::<OtaProgress>(&name, &payload).expect_err("another message");
    assert_eq!(err.message(), Some("dji/firmware/ota_create"));
    assert_eq!(
        err.kind(),
        &ErrorKind::UnexpectedMessage {
            expected: "dji/firmware/ota_progress"
        }
    );
    assert!(
        err.to_string()
            .contains("expected `dji/firmware/ota_progress`"),
        "{err}"
    );
    // A payload that is no message at all fails as `decode` fails.
    let err = iotxfer::decode_as::<OtaCreate>(&name, b"{").expect_err("not JSON");
    assert!(matches!(err.kind(), ErrorKind::InvalidJson(_)), "{err}");
}

#[test]
fn a_decoded_message_converts_to_its_type_or_back() {
    use iotxfer::dji::firmware::{OtaCreate, OtaProgress};
    let topic = iotxfer::dji::ServicesTopic::new("SN9").expect("valid");
    let (name, payload) = Outgoing::new(topic, OtaCreate::new(vec![]))
        .encode()
        .expect("encodes");
    let message = iotxfer::decode(&name, &payload).expect("decodes");
    let back: Message = Received::<OtaProgress>::try_from(message).expect_err("another one");
    let create = Received::<OtaCreate>::try_from(back).expect("this one");
    assert_eq!(create.topic.gateway_sn(), "SN9");
}

#[test]
fn enums_print_their_wire_value() {
    use iotxfer::tencent::file_management::FileResult;
    assert_eq!(
        iotxfer::dji::TaskStatus::InProgress.to_string(),
        "in_progress"
    );
    assert_eq!(iotxfer::dji::NeedReply::Yes.to_string(), "1");
    assert_eq!(FileResult::from_wire(-4).to_string(), "-4");
    assert_eq!(FileResult::from_wire(-99).to_string(), "-99");
}

#[test]
fn any_topic_parses_into_its_pattern_and_device() {
    use iotxfer::{AnyTopic, TopicError};
    let cases = [
        (
            "thing/product/4TADK1/events",
            "thing/product/{gateway_sn}/events",
            "4TADK1",
        ),
        (
            "$oc/devices/dev_1/sys/events/up",
            "$oc/devices/{device_id}/sys/events/up",
            "dev_1",
        ),
        (
            "$thing/down/service/P1/d1",
            "$thing/down/service/{product_id}/{device_name}",
            "P1/d1",
        ),
    ];
    for (name, pattern, device) in cases {
        let topic = AnyTopic::parse(name).expect(name);
        assert_eq!(topic.info().pattern, pattern);
        assert_eq!(topic.device().as_deref(), Some(device));
        assert_eq!(topic.to_string(), name);
    }
    let topic: AnyTopic = "$resource/up/service/P1/d1".parse().expect("valid");
    assert_eq!(
        topic.params(),
        [("product_id", "P1"), ("device_name", "d1")]
    );
    assert!(matches!(topic, AnyTopic::TencentResourceUp(ref t) if t.device_name() == "d1"));

    assert_eq!(
        AnyTopic::parse("thing/product/x/nope"),
        Err(TopicError::Unknown)
    );
    assert_eq!(AnyTopic::parse("a/b/c/d/e/f/g/h"), Err(TopicError::Unknown));
    assert_eq!(
        AnyTopic::parse("thing/product//events"),
        Err(TopicError::Empty {
            param: "gateway_sn"
        })
    );
    assert!(matches!(
        AnyTopic::parse("$thing/up/service/P+1/d1"),
        Err(TopicError::Forbidden {
            param: "product_id",
            ..
        })
    ));
}

#[test]
fn the_catalog_says_how_replies_correlate_and_when_they_are_due() {
    use iotxfer::catalog::{self, Correlation, ReplyCondition};
    let info = |id: &str| {
        catalog::messages()
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("{id} is in the catalog"))
    };
    // The same pointer in both; `exchange` when the field names one exchange, not a device.
    let both = |at: &'static str, exchange: bool| Correlation {
        reply: at,
        request: at,
        exchange,
    };
    assert_eq!(
        info("dji/firmware/ota_progress_reply").correlate,
        [both("/tid", true), both("/bid", true)]
    );
    assert_eq!(
        info("dji/firmware/ota_progress").reply_when,
        [ReplyCondition {
            pointer: "/need_reply",
            value: "1"
        }]
    );
    assert!(info("dji/firmware/ota_create").reply_when.is_empty());
    assert_eq!(
        info("huawei/file_manager/get_upload_url_response").correlate,
        [both("/object_device_id", false)]
    );
    assert_eq!(
        info("tencent/file_management/request_url_resp").correlate,
        [both("/request_id", true)]
    );
    assert!(
        info("tencent/resource/get_download_task_rsp")
            .correlate
            .is_empty()
    );
}
