//! The documented shape every `/api/v1` success shares (`openalgo::success` and the data
//! routes build it): `"status": "success"`, `"mode": "analyze"` only on the analyzer's ledger,
//! and each operation's own fields beside them (its 200 example shows them).

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;

/// A `/api/v1` 200 answer.
#[derive(Debug)]
pub struct V1Success;

impl utoipa::PartialSchema for V1Success {
    fn schema() -> RefOr<Schema> {
        RefOr::T(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(
                    "`status` is always `success`; `mode` is `analyze` only while the analyzer \
                     is on; the operation's fields (see its example) come beside them.",
                ))
                .property(
                    "status",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["success"])),
                )
                .required("status")
                .property(
                    "mode",
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["analyze"])),
                )
                .into(),
        )
    }
}

impl utoipa::ToSchema for V1Success {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("V1Success")
    }
}
