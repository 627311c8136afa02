//! The collections as the web app offers them: the Bruno collection as one zip (a folder
//! `keygate/`), the Postman collection and its environment as JSON, each optionally with a key.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::plan::Collection;
use super::{bruno, postman};

/// One downloadable file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// The Bruno collection, zipped.
    BrunoZip,
    /// The Postman collection (v2.1).
    PostmanCollection,
    /// The Postman environment.
    PostmanEnvironment,
}

/// The folder the zip's files sit in.
const ZIP_ROOT: &str = "keygate";

impl Download {
    /// Every download, in the order the web app lists them.
    pub const ALL: [Download; 3] = [
        Download::BrunoZip,
        Download::PostmanCollection,
        Download::PostmanEnvironment,
    ];

    /// The file name (also the path segment that asks for it).
    pub fn name(self) -> &'static str {
        match self {
            Download::BrunoZip => "keygate-bruno.zip",
            Download::PostmanCollection => "keygate.postman_collection.json",
            Download::PostmanEnvironment => "keygate.postman_environment.json",
        }
    }

    /// The download named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// What it is, in words.
    pub fn title(self) -> &'static str {
        match self {
            Download::BrunoZip => "Bruno collection (unzip, then open the folder in Bruno)",
            Download::PostmanCollection => "Postman collection (v2.1)",
            Download::PostmanEnvironment => "Postman environment (host and apikey)",
        }
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Download::BrunoZip => "application/zip",
            Download::PostmanCollection | Download::PostmanEnvironment => "application/json",
        }
    }

    /// The file's bytes, with `apikey` filled into its environment (or variables) when given.
    pub fn render(
        self,
        collection: &Collection,
        apikey: Option<&str>,
    ) -> Result<Vec<u8>, zip::result::ZipError> {
        match self {
            Download::BrunoZip => bruno_zip(collection, apikey),
            Download::PostmanCollection => {
                Ok(postman::collection_json(collection, apikey).into_bytes())
            }
            Download::PostmanEnvironment => Ok(postman::environment_json(apikey).into_bytes()),
        }
    }
}

fn bruno_zip(
    collection: &Collection,
    apikey: Option<&str>,
) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for file in bruno::files(collection, apikey) {
        zip.start_file(format!("{ZIP_ROOT}/{}", file.path), options)?;
        zip.write_all(file.contents.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}
