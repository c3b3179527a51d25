//! `xacct reindex`: asks the spec's catalog to index a bucket again (all
//! of it, or the keys under a prefix), e.g. after objects were added while
//! its notification was broken.

use xacct_spec::Spec;

use crate::error::Error;

pub async fn reindex(spec: &Spec, bucket: &str, prefix: Option<&str>) -> Result<(), Error> {
    let Some(quilt) = &spec.quilt else {
        return Err(Error::blocked(
            "cannot reindex",
            vec!["the spec has no `quilt:` section naming the catalog's registry_url"],
        ));
    };
    let catalog = xacct_aws::Catalog::connect(quilt)
        .await
        .map_err(|error| Error::blocked("cannot reindex", vec![error]))?;
    catalog
        .reindex(bucket, prefix)
        .await
        .map_err(|error| Error::blocked("cannot reindex", vec![error]))
}
