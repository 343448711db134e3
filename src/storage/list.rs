//! Listing a container page by page. Each page is converted and handed to the caller before the
//! next one is requested, so a container of 100,000+ blobs is never held in memory as listing
//! pages (the catalog keeps one small record per blob, see [`crate::backup_catalog::group::Grouper`]).

use std::collections::BTreeMap;

use azure_storage_blob::models::{BlobContainerClientListBlobsOptions, BlobItem, LeaseState, ListBlobsIncludeItem};
use futures_util::TryStreamExt;

use super::client::{container, Container};
use super::errors::{classify, StorageOp};
use super::StorageTarget;
use crate::backup_catalog::BlobEntry;
use crate::errors::Result;

/// Blobs per page asked for (the service's maximum is 5,000).
pub const DEFAULT_PAGE_SIZE: u32 = 5000;

/// Converts one listed item (pure).
pub fn entry(container_url: &str, item: BlobItem) -> Option<BlobEntry> {
    let name = item.name?;
    let props = item.properties;
    let leased = props.as_ref().and_then(|p| p.lease_state.as_ref()).is_some_and(|s| matches!(s, LeaseState::Leased | LeaseState::Breaking));
    let last_modified = props
        .as_ref()
        .and_then(|p| p.last_modified)
        .and_then(|t| chrono::DateTime::from_timestamp(t.unix_timestamp(), t.nanosecond()));
    let size = props.as_ref().and_then(|p| p.content_length).unwrap_or(0);
    let metadata: BTreeMap<String, String> = item.metadata.and_then(|m| m.values).map(|v| v.into_iter().collect()).unwrap_or_default();
    Some(BlobEntry { url: format!("{container_url}/{name}"), name, size, last_modified, leased, metadata })
}

/// Lists the container (optionally under `prefix`), calling `on_page` with each page's blobs in
/// service order. Returns how many blobs were listed.
pub async fn list(target: &StorageTarget, prefix: Option<&str>, page_size: Option<u32>, mut on_page: impl FnMut(Vec<BlobEntry>)) -> Result<u64> {
    let c = container(target)?;
    list_with(&c, prefix, page_size, &mut on_page).await
}

/// [`list`] on a client already built.
pub async fn list_with(c: &Container, prefix: Option<&str>, page_size: Option<u32>, on_page: &mut impl FnMut(Vec<BlobEntry>)) -> Result<u64> {
    let options = BlobContainerClientListBlobsOptions {
        include: Some(vec![ListBlobsIncludeItem::Metadata]),
        prefix: prefix.filter(|p| !p.is_empty()).map(str::to_string),
        maxresults: Some(page_size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, 5000) as i32),
        ..Default::default()
    };
    let err = |e: &azure_core::Error| classify(e, StorageOp::List, &c.container_url, c.using_sas);
    let mut pages = c.client.list_blobs(Some(options)).map_err(|e| err(&e))?.into_pages();
    let mut n = 0u64;
    while let Some(page) = pages.try_next().await.map_err(|e| err(&e))? {
        let body = page.into_model().map_err(|e| err(&e))?;
        let items: Vec<BlobEntry> = body.blob_items.into_iter().filter_map(|i| entry(&c.container_url, i)).collect();
        n += items.len() as u64;
        on_page(items);
    }
    Ok(n)
}

/// Sets a blob's metadata (replacing what it had). `name` is the blob name in the container.
pub async fn set_metadata(target: &StorageTarget, name: &str, metadata: &BTreeMap<String, String>) -> Result<()> {
    let c = container(target)?;
    let map: std::collections::HashMap<String, String> = metadata.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    c.client
        .blob_client(name)
        .set_metadata(&map, None)
        .await
        .map(|_| ())
        .map_err(|e| classify(&e, StorageOp::WriteMetadata, &c.container_url, c.using_sas))
}

/// Deletes a blob. A blob under a lease is refused by the service (412): `BlobLeased`.
pub async fn delete(target: &StorageTarget, name: &str) -> Result<()> {
    let c = container(target)?;
    c.client
        .blob_client(name)
        .delete(None)
        .await
        .map(|_| ())
        .map_err(|e| classify(&e, StorageOp::Delete, &c.container_url, c.using_sas))
}
