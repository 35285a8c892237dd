//! The catalog, the request/reply pairing and the message bodies agree with each other.

use std::collections::BTreeSet;

use iotxfer::{Body, Direction, Request, catalog, dji, huawei, tencent};

#[test]
fn every_message_of_the_four_documents_is_defined() {
    let ids: BTreeSet<&str> = catalog::messages().iter().map(|m| m.id).collect();
    let expected = [
        "tencent/resource/create_upload_task",
        "tencent/resource/create_upload_task_rsp",
        "tencent/resource/report_upload_progress",
        "tencent/resource/report_upload_progress_rsp",
        "tencent/resource/get_download_task",
        "tencent/resource/get_download_task_rsp",
        "tencent/resource/report_download_progress",
        "tencent/resource/report_download_progress_rsp",
        "huawei/file_manager/download_result_report",
        "dji/log_upload/fileupload_progress",
        "dji/log_upload/fileupload_list",
        "dji/log_upload/fileupload_list_reply",
        "dji/log_upload/fileupload_start",
        "dji/log_upload/fileupload_start_reply",
        "dji/log_upload/fileupload_update",
        "dji/log_upload/fileupload_update_reply",
        "dji/firmware/ota_progress",
        "dji/firmware/ota_create",
        "dji/firmware/ota_create_reply",
    ];
    for id in expected {
        assert!(ids.contains(id), "{id} is not defined");
    }
    assert_eq!(
        ids.len(),
        catalog::messages().len(),
        "message ids are unique"
    );
}

/// What the definitions hold, one line per vendor, family and message, as a reviewed snapshot:
/// a new or changed definition shows here as a diff, and no count is typed by hand.
#[test]
fn the_catalog_is_what_the_definitions_hold() {
    let mut lines = Vec::new();
    for vendor in catalog::vendors() {
        lines.push(format!("{} ({})", vendor.id, vendor.name));
        for family in vendor.families {
            lines.push(format!("  {} ({})", family.id, family.name));
            for m in catalog::messages()
                .iter()
                .filter(|m| m.vendor == vendor.id && m.family == family.id)
            {
                let reply = m.reply.map(|r| format!(" -> {r}")).unwrap_or_default();
                lines.push(format!(
                    "    {} {:?} on {} {:?}{reply}",
                    m.name, m.tags, m.topic, m.direction
                ));
            }
        }
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn every_message_belongs_to_a_listed_family() {
    for m in catalog::messages() {
        let vendor = catalog::vendors().iter().find(|v| v.id == m.vendor);
        assert!(
            vendor.is_some_and(|v| v.families.iter().any(|f| f.id == m.family)),
            "{}",
            m.id
        );
    }
}

#[test]
fn ids_name_vendor_family_and_message() {
    for m in catalog::messages() {
        assert_eq!(m.id, format!("{}/{}/{}", m.vendor, m.family, m.name));
        assert!(!m.summary.is_empty(), "{} has a summary", m.id);
        let topic = catalog::topics()
            .iter()
            .find(|t| t.pattern == m.topic)
            .expect("its topic exists");
        assert_eq!(topic.direction, m.direction);
        assert!(topic.messages.contains(&m.id));
    }
}

#[test]
fn requests_and_replies_point_at_each_other_across_reply_topics() {
    let find = |id: &str| {
        catalog::messages()
            .iter()
            .find(|m| m.id == id)
            .expect("known id")
    };
    let mut pairs = 0;
    for request in catalog::messages() {
        let Some(reply_id) = request.reply else {
            continue;
        };
        let reply = find(reply_id);
        assert_eq!(reply.request, Some(request.id));
        assert_ne!(request.direction, reply.direction);
        pairs += 1;
    }
    assert_eq!(
        pairs,
        catalog::messages()
            .iter()
            .filter(|m| m.request.is_some())
            .count(),
        "every reply answers one request"
    );
}

/// Compiles only when `R` answers `Q`.
fn pair<Q: Request<Reply = R>, R: Body>() -> (&'static str, &'static str) {
    (Q::ID, R::ID)
}

#[test]
fn the_types_carry_the_pairing() {
    use dji::{firmware as fw, log_upload as log};
    use tencent::resource as res;
    let pairs = [
        pair::<res::CreateUploadTask, res::CreateUploadTaskRsp>(),
        pair::<res::ReportUploadProgress, res::ReportUploadProgressRsp>(),
        pair::<res::GetDownloadTask, res::GetDownloadTaskRsp>(),
        pair::<res::ReportDownloadProgress, res::ReportDownloadProgressRsp>(),
        pair::<log::FileuploadList, log::FileuploadListReply>(),
        pair::<log::FileuploadStart, log::FileuploadStartReply>(),
        pair::<log::FileuploadUpdate, log::FileuploadUpdateReply>(),
        pair::<fw::OtaCreate, fw::OtaCreateReply>(),
    ];
    for (request, reply) in pairs {
        let info = catalog::messages()
            .iter()
            .find(|m| m.id == request)
            .expect("known id");
        assert_eq!(info.reply, Some(reply));
    }
    // A reply carries the request's method on DJI, its own type on Tencent.
    assert_eq!(fw::OtaCreateReply::TAGS, ["ota_create"]);
    assert_eq!(res::CreateUploadTaskRsp::TAGS, ["create_upload_task_rsp"]);
    assert_eq!(
        huawei::file_manager::DownloadResultReport::TAGS,
        ["$file_manager", "download_result_report"]
    );
}

#[test]
fn topics_list_the_subscription_filters() {
    let filters: BTreeSet<&str> = catalog::topics().iter().map(|t| t.filter).collect();
    assert!(filters.contains("$resource/up/service/+/+"));
    assert!(filters.contains("$oc/devices/+/sys/events/up"));
    assert!(filters.contains("thing/product/+/events"));
    let uncovered: Vec<&str> = catalog::topics()
        .iter()
        .filter(|t| t.messages.is_empty())
        .map(|t| t.name)
        .collect();
    assert!(uncovered.contains(&"osd"));
    let up = catalog::topics()
        .iter()
        .filter(|t| t.direction == Direction::Up)
        .count();
    assert!(up > 0 && up < catalog::topics().len());
}

#[test]
fn undocumented_enum_values_are_kept_and_told_apart() {
    let status = dji::TaskStatus::from_wire("upgrading_later");
    assert!(!status.is_documented());
    assert_eq!(status.as_str(), "upgrading_later");
    assert!(
        dji::TaskStatus::DOCUMENTED
            .iter()
            .all(dji::TaskStatus::is_documented)
    );
    assert_eq!(
        dji::TaskStatus::from_wire("in_progress"),
        dji::TaskStatus::InProgress
    );

    let module = dji::Module::from_wire(7);
    assert!(!module.is_documented());
    assert_eq!(module.value(), 7);
    assert_eq!(dji::Module::Dock.value(), 3);
}

#[test]
fn route_finds_the_pattern_of_every_topic_and_nothing_else() {
    for t in catalog::topics() {
        let topic = t.filter.replace('+', "GW-1");
        assert_eq!(catalog::route(&topic).map(|r| r.pattern), Some(t.pattern));
        assert_eq!(catalog::route(t.filter), None, "a filter is not a topic");
    }
    for topic in [
        "",
        "/",
        "thing/product//events",
        "thing/product/GW/events/x",
        "unknown/topic",
    ] {
        assert_eq!(catalog::route(topic), None, "{topic:?}");
    }
}

/// Every job of a `progress` or `final` rule has a message that starts it, in its own family,
/// naming the job with as many fields as the rule: without one, a platform that restarts a
/// failed job would be blamed for its new reports.
#[test]
fn every_job_rule_names_what_starts_its_jobs() {
    use iotxfer::catalog::RuleCheck;
    for rule in iotxfer::catalog::rules() {
        let (job, starts) = match rule.check {
            RuleCheck::Progress { job, starts, .. } | RuleCheck::Final { job, starts, .. } => {
                (job, starts)
            }
            _ => continue,
        };
        assert!(
            !starts.is_empty(),
            "{}: no message starts its jobs",
            rule.id
        );
        for start in starts {
            let message = iotxfer::catalog::message(start.message).expect("a message");
            assert_eq!(Some(message.family), rule.family, "{}", rule.id);
            assert_eq!(start.job.len(), job.len(), "{}", rule.id);
        }
    }
}
