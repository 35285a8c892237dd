//! The conversation rules: `RULES` for the catalog, and their table in the module docs.

use proc_macro2::TokenStream;
use quote::quote;

use super::{decode, docs};
use crate::ir::{Check, JobStart, Protocol, Retry, Rule};

/// `RULES`: every rule, the vendor-wide ones of each vendor first, then its families'.
pub fn rule_infos(protocol: &Protocol) -> TokenStream {
    let infos = protocol.vendors.iter().flat_map(|v| {
        let own = v.rules.iter().map(move |r| info(&v.id, None, r));
        let families = v
            .families
            .iter()
            .flat_map(move |f| f.rules.iter().map(move |r| info(&v.id, Some(&f.id), r)));
        own.chain(families)
    });
    let infos: Vec<TokenStream> = infos.collect();
    quote! {
        /// Every conversation rule of the definitions.
        pub(crate) static RULES: &[crate::catalog::RuleInfo] = &[#(#infos),*];
    }
}

fn info(vendor: &str, family: Option<&str>, r: &Rule) -> TokenStream {
    let (id, source) = (&r.id, &r.source);
    let summary = docs::summary(&r.doc);
    let family = decode::option(family);
    let duty = match r.duty {
        Some(d) => {
            let d = decode::direction(d);
            quote!(Some(#d))
        }
        None => quote!(None),
    };
    let check = check(&r.check);
    quote! {
        crate::catalog::RuleInfo {
            id: #id,
            vendor: #vendor,
            family: #family,
            summary: #summary,
            source: #source,
            duty: #duty,
            check: #check,
        }
    }
}

fn check(c: &Check) -> TokenStream {
    match c {
        Check::Answered {
            requests,
            deadline_ms,
            retry,
        } => {
            let deadline = decode::option(deadline_ms.as_ref());
            let retry = decode::option(retry.as_ref().map(retry_info));
            quote! {
                crate::catalog::RuleCheck::Answered {
                    requests: &[#(#requests),*], deadline_ms: #deadline, retry: #retry,
                }
            }
        }
        Check::Progress {
            messages,
            job,
            starts,
            percent,
            step,
        } => {
            let starts = starts.iter().map(start_info);
            quote! {
                crate::catalog::RuleCheck::Progress {
                    messages: &[#(#messages),*], job: &[#(#job),*], starts: &[#(#starts),*],
                    percent: #percent, step: &[#(#step),*],
                }
            }
        }
        Check::Final {
            messages,
            job,
            starts,
            status,
            finals,
        } => {
            let starts = starts.iter().map(start_info);
            quote! {
                crate::catalog::RuleCheck::Final {
                    messages: &[#(#messages),*], job: &[#(#job),*], starts: &[#(#starts),*],
                    status: #status, finals: &[#(#finals),*],
                }
            }
        }
        Check::SameDevice { field, param } => {
            quote!(crate::catalog::RuleCheck::SameDevice { field: #field, param: #param })
        }
        Check::Fresh { requests, field } => {
            quote!(crate::catalog::RuleCheck::Fresh { requests: &[#(#requests),*], field: #field })
        }
    }
}

fn retry_info(r: &Retry) -> TokenStream {
    let (count, changes, source) = (r.count, &r.changes, &r.source);
    quote!(crate::catalog::Retry { count: #count, changes: &[#(#changes),*], source: #source })
}

fn start_info(s: &JobStart) -> TokenStream {
    let (message, job) = (&s.message, &s.job);
    quote!(crate::catalog::JobStart { message: #message, job: &[#(#job),*] })
}

/// A Markdown table of `rules` for a module's docs; empty without rules.
pub fn table(rules: &[Rule]) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n# Conversation rules\n\nWhat `iotxfer check` follows across messages \
         ([`catalog::rules`](crate::catalog::rules)).\n\n| Rule | Kept by | What it checks | Source |\n|---|---|---|---|\n",
    );
    for r in rules {
        let duty = match r.duty {
            Some(d) => docs::side(d),
            None => "the sender",
        };
        out.push_str(&format!(
            "| `{}` | {duty} | {} | {} |\n",
            r.id,
            docs::escape(&r.doc).replace('\n', " "),
            r.source
        ));
    }
    out
}
