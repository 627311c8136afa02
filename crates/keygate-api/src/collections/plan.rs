//! The order a collection run takes, and the few changes to the documented examples that make a
//! run safe to repeat on the paper broker.
//!
//! Bruno and Postman run a collection folder by folder, each folder's requests in order, so the
//! plan is grouped by tag: `utilities` (the analyzer is switched on and straight back off), `data`,
//! `orders`, then `account`, which inspects what the orders did. The `orders` folder places a
//! working LIMIT order far below the market (half of NHPC's reference price of 80, which the
//! simulated market never reaches), modifies it (still far below), cancels it, brings TATASTEEL to
//! 5 with a smart order, cancels whatever is still working and closes the positions. A run on an
//! account with no open positions or working orders leaves none behind; its cash moves only by the
//! spread of the smart order's round trip.

use serde_json::Value;

use super::operations::{V1Document, V1Operation};
use super::CollectionError;

/// A field the plan sets in a request body instead of (or besides) the example's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Change {
    /// A string value (OpenAlgo sends numbers as strings too).
    Text(&'static str),
    /// A boolean value.
    Bool(bool),
}

/// One request of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// The endpoint after `/api/v1/`.
    pub endpoint: &'static str,
    /// The request's name in the collection (also its file name, spaces as dashes).
    pub name: &'static str,
    /// Fields set over the example.
    pub changes: &'static [(&'static str, Change)],
    /// Why the body differs from the documented example (shown in the request's docs).
    pub why: Option<&'static str>,
    /// Whether the answer's `orderid` becomes the `orderid` variable later requests send.
    pub captures_orderid: bool,
    /// Answer fields (dotted paths under the body) that must equal these strings, besides
    /// `status` = `success`.
    pub checks: &'static [(&'static str, &'static str)],
}

impl Step {
    const fn example(endpoint: &'static str) -> Self {
        Self {
            endpoint,
            name: endpoint,
            changes: &[],
            why: None,
            captures_orderid: false,
            checks: &[],
        }
    }
}

/// The run, in order.
pub const PLAN: &[Step] = &[
    Step::example("ping"),
    Step::example("analyzer"),
    Step {
        name: "analyzer toggle on",
        ..Step::example("analyzer/toggle")
    },
    Step {
        name: "analyzer toggle off",
        changes: &[("mode", Change::Bool(false))],
        why: Some("Switches the analyzer back off, so the orders below reach the live paper account and a run leaves the analyzer as it found it."),
        ..Step::example("analyzer/toggle")
    },
    Step::example("quotes"),
    Step::example("multiquotes"),
    Step::example("depth"),
    Step {
        changes: &[("pricetype", Change::Text("LIMIT")), ("price", Change::Text("40"))],
        why: Some("A LIMIT order at half of NHPC's reference price (80), so it stays working for the modify and cancel that follow; its order id is kept in the `orderid` variable."),
        captures_orderid: true,
        ..Step::example("placeorder")
    },
    Step {
        changes: &[("price", Change::Text("40.5"))],
        why: Some("Modifies the order placed above (`{{orderid}}`), still far below the market so it keeps working."),
        ..Step::example("modifyorder")
    },
    Step::example("cancelorder"),
    Step::example("placesmartorder"),
    Step::example("cancelallorder"),
    Step::example("closeposition"),
    Step {
        why: Some("Inspects the order placed, modified and cancelled above: it must be `cancelled`."),
        checks: &[("data.order_status", "cancelled")],
        ..Step::example("orderstatus")
    },
    Step::example("openposition"),
    Step::example("orderbook"),
    Step::example("tradebook"),
    Step::example("positionbook"),
    Step::example("holdings"),
    Step::example("funds"),
];

/// The variable holding the order id a step captured.
pub const ORDERID_VARIABLE: &str = "orderid";

/// A JSON body as the collections write it: fields in order, `apikey` first.
#[derive(Debug, Clone, PartialEq)]
pub struct Body(pub Vec<(String, Value)>);

impl Body {
    /// Pretty JSON (two-space indent, no trailing newline).
    pub fn to_pretty_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (name, value)) in self.0.iter().enumerate() {
            out.push_str(if i == 0 { "\n  " } else { ",\n  " });
            out.push_str(&Value::String(name.clone()).to_string());
            out.push_str(": ");
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned());
            out.push_str(&text.replace('\n', "\n  "));
        }
        out.push_str("\n}");
        out
    }
}

/// One request of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Its name.
    pub name: String,
    /// Its file name without extension (Bruno).
    pub file_stem: String,
    /// The URL path (`/api/v1/placeorder`).
    pub path: String,
    /// Its documentation (Markdown).
    pub docs: String,
    /// The JSON body.
    pub body: Body,
    /// Whether the answer's `orderid` is kept in the `orderid` variable.
    pub captures_orderid: bool,
    /// Answer fields (dotted paths) that must equal these strings.
    pub checks: Vec<(String, String)>,
}

/// A folder: one tag's requests, in run order.
#[derive(Debug, Clone, PartialEq)]
pub struct Folder {
    /// The tag.
    pub name: String,
    /// The tag's description.
    pub description: String,
    /// Its requests.
    pub requests: Vec<Request>,
}

/// A whole collection, tool-neutral.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    /// Its name.
    pub name: String,
    /// Its documentation.
    pub description: String,
    /// Its folders, in run order.
    pub folders: Vec<Folder>,
}

/// Builds the collection `plan` describes from `doc`. Fails when an `/api/v1` operation is missing
/// from the plan (a new endpoint must be placed in the run), when the plan names one the document
/// lacks, when a tag's steps are not together, or when an `orderid` is sent before one is captured.
pub fn build(doc: &V1Document, plan: &[Step]) -> Result<Collection, CollectionError> {
    if let Some(unplanned) = doc
        .operations
        .keys()
        .find(|e| !plan.iter().any(|s| s.endpoint == e.as_str()))
    {
        return Err(CollectionError::Unplanned(unplanned.clone()));
    }
    let mut folders: Vec<Folder> = Vec::new();
    let mut captured = false;
    for step in plan {
        let op = doc
            .operations
            .get(step.endpoint)
            .ok_or_else(|| CollectionError::UnknownEndpoint(step.endpoint.to_owned()))?;
        let request = request(op, step, captured)?;
        captured |= step.captures_orderid;
        match folders.last_mut() {
            Some(folder) if folder.name == op.tag => folder.requests.push(request),
            _ => {
                if folders.iter().any(|f| f.name == op.tag) {
                    return Err(CollectionError::SplitTag(op.tag.clone()));
                }
                folders.push(Folder {
                    name: op.tag.clone(),
                    description: doc.tags.get(&op.tag).cloned().unwrap_or_default(),
                    requests: vec![request],
                });
            }
        }
    }
    Ok(Collection {
        name: doc.title.clone(),
        description: doc.description.clone().unwrap_or_default(),
        folders,
    })
}

fn request(op: &V1Operation, step: &Step, captured: bool) -> Result<Request, CollectionError> {
    let mut fields = op.example.clone();
    for (name, change) in step.changes {
        let value = match change {
            Change::Text(text) => Value::String((*text).to_owned()),
            Change::Bool(b) => Value::Bool(*b),
        };
        fields.insert((*name).to_owned(), value);
    }
    if let Some(orderid) = fields.get_mut(ORDERID_VARIABLE) {
        if !captured {
            return Err(CollectionError::OrderIdNotCaptured(step.name.to_owned()));
        }
        *orderid = Value::String(format!("{{{{{ORDERID_VARIABLE}}}}}"));
    }
    let mut fields: Vec<(String, Value)> = fields
        .into_iter()
        .map(|(name, value)| (name, canonical(value)))
        .collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let mut body = vec![("apikey".to_owned(), Value::String("{{apikey}}".to_owned()))];
    body.extend(fields);
    let mut docs = op.summary.clone();
    if let Some(description) = &op.description {
        docs.push_str("\n\n");
        docs.push_str(description);
    }
    if let Some(why) = step.why {
        docs.push_str("\n\nIn this collection: ");
        docs.push_str(why);
    }
    docs.push_str(
        "\n\nThe key goes in the body field `apikey` (here the `apikey` variable) or the `X-API-KEY` header.",
    );
    Ok(Request {
        name: step.name.to_owned(),
        file_stem: step.name.replace([' ', '/'], "-"),
        path: format!("{}{}", super::operations::V1_PREFIX, op.endpoint),
        docs,
        body: Body(body),
        captures_orderid: step.captures_orderid,
        checks: step
            .checks
            .iter()
            .map(|(path, value)| ((*path).to_owned(), (*value).to_owned()))
            .collect(),
    })
}

/// `value` with every object's fields in name order, whatever map serde_json was built with, so
/// the generated files are the same bytes in every build.
fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<(String, Value)> = map.into_iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| (name, canonical(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}
