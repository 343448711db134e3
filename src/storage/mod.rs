//! Blob Storage from the library itself (issue 15): list a container as a catalog, read and set
//! blob metadata, delete expired backups — with the library's own identity.
//!
//! Client: the official `azure_storage_blob` / `azure_core` 1.x crates (see [`client`] for why).
//! Authentication ([`StorageAuth`]): the machine's managed identity (IMDS or the Automation
//! `IDENTITY_ENDPOINT`, through [`crate::identity`], resource `https://storage.azure.com/`), an
//! Entra access token passed in, or a SAS — never an account key.
//! Errors ([`errors`]) are typed and name the role that is missing (Storage Blob Data Reader to
//! list, Storage Blob Data Contributor to write metadata or delete).

pub mod client;
pub mod errors;
pub mod catalog;
pub mod list;

use crate::api::Secret;
use crate::identity::IdentitySelector;

/// The resource (audience) of Azure Storage tokens.
pub const STORAGE_RESOURCE: &str = "https://storage.azure.com/";

/// How the library authenticates to Blob Storage.
#[derive(Debug, Clone)]
pub enum StorageAuth {
    /// The machine's managed identity (system-assigned, or the one the selector names).
    ManagedIdentity(IdentitySelector),
    /// An Entra access token for `https://storage.azure.com/`, passed in by the caller.
    Token(Secret),
    /// A shared access signature (without the leading `?`), appended to every request URL.
    Sas(Secret),
}

/// Where the container is and how to reach it.
#[derive(Debug, Clone)]
pub struct StorageTarget {
    /// The container URL as backups name it (`https://<account>.blob.core.windows.net/<container>`),
    /// validated and normalised by [`crate::url::parse_container_url`].
    pub container_url: String,
    /// Requests go to `<endpoint>/<container>` instead of `https://<host>/<container>` (an
    /// emulator such as Azurite at `https://127.0.0.1:10000/devstoreaccount1`, or a private
    /// endpoint under another name). No trailing `/`.
    pub endpoint: Option<String>,
    /// Extra CA certificate (PEM) to trust besides the platform's roots.
    pub ca_file: Option<String>,
    pub auth: StorageAuth,
}
