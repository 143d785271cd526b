//! Where a connection and a sync job stand, as stored in their `status` columns.

/// The `status` of `provider_connections`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Tokens held, syncing on schedule.
    Active,
    /// The provider refused us (revoked, expired refresh token): the person must reconnect.
    Error,
    /// Switched off by the person or an admin; tokens dropped.
    Disconnected,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionStatus::Active => "active",
            ConnectionStatus::Error => "error",
            ConnectionStatus::Disconnected => "disconnected",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Active, Self::Error, Self::Disconnected]
            .into_iter()
            .find(|s| s.as_str() == word)
    }
}

crate::text_enum!(ConnectionStatus);

/// The `status` of `sync_jobs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Queued, or waiting for a retry (`run_after`).
    Pending,
    /// Claimed by a worker (held by its lease).
    Running,
    Completed,
    /// Out of retries, or refused for good by the provider.
    Failed,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [Self::Pending, Self::Running, Self::Completed, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Completed => "completed",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    /// Queued or running: a connection has at most one such job.
    pub fn is_open(self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::Running)
    }

    /// How the admin pages show it.
    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Pending => "Pending",
            JobStatus::Running => "Running",
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
        }
    }
}

crate::text_enum!(JobStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_as_itself() {
        for s in [
            ConnectionStatus::Active,
            ConnectionStatus::Error,
            ConnectionStatus::Disconnected,
        ] {
            assert_eq!(ConnectionStatus::parse(s.as_str()), Some(s));
        }
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("done"), None);
        assert!(JobStatus::Running.is_open() && !JobStatus::Failed.is_open());
    }
}
