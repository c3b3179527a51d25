//! Each resource kind's AWS calls: one module per kind implementing
//! [`AwsKind`] for the engine's kind type. The dispatch below is generated
//! from the engine's registry, so a registered kind without an AWS module
//! (or without its IAM actions) fails to compile.

use xacct_engine::kinds as engine;
use xacct_engine::{Kind, Observed, ResourceKind, Write};

use crate::error::CallFailure;
use crate::operation::Operation;
use crate::session::Clients;

/// The AWS side of one resource kind.
pub(crate) trait AwsKind: Kind {
    /// Every AWS operation the module calls, with the IAM action it needs:
    /// `xacct permissions` is built from these, and a test compares them
    /// with the calls in the module's source.
    const OPERATIONS: &'static [Operation];

    /// Reads the whole document of the object AWS calls `aws_id`.
    async fn read(clients: &Clients, aws_id: &str) -> Result<Self::Observed, CallFailure>;

    /// Makes one write, once (retries are the caller's decision).
    async fn write(clients: &Clients, write: &Self::Write) -> Result<(), CallFailure>;
}

macro_rules! aws_registry {
    ($($variant:ident: $module:ident,)*) => {
        $(mod $module;)*

        /// Reads one document of `kind`.
        pub(crate) async fn read(
            clients: &Clients,
            kind: ResourceKind,
            aws_id: &str,
        ) -> Result<Observed, CallFailure> {
            match kind {
                $(ResourceKind::$variant => {
                    <engine::$module::$variant as AwsKind>::read(clients, aws_id)
                        .await
                        .map(Observed::$variant)
                })*
            }
        }

        /// Makes one write, once.
        pub(crate) async fn write(clients: &Clients, write: &Write) -> Result<(), CallFailure> {
            match write {
                $(Write::$variant(write) => {
                    <engine::$module::$variant as AwsKind>::write(clients, write).await
                })*
            }
        }

        /// Every kind's operations, in registry order.
        pub(crate) const KIND_OPERATIONS: &[(ResourceKind, &[Operation])] = &[
            $((ResourceKind::$variant, <engine::$module::$variant as AwsKind>::OPERATIONS),)*
        ];

        /// Every kind's module source, for the test that holds its
        /// declared operations to its calls.
        #[cfg(test)]
        pub(crate) const KIND_SOURCES: &[(ResourceKind, &str)] = &[
            $((ResourceKind::$variant, include_str!(concat!("kinds/", stringify!($module), ".rs"))),)*
        ];
    };
}

xacct_engine::for_each_kind!(aws_registry);
