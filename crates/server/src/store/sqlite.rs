//! The sqlite backend (to be implemented).

use super::*;

/// sqlite storage.
#[derive(Clone, Debug)]
pub struct SqliteStore {}

impl SqliteStore {
    /// Opens the database.
    pub async fn connect(_url: &str, _max_connections: u32) -> StoreResult<Self> {
        Err(StoreError::Config("not implemented".into()))
    }
    /// Applies migrations.
    pub async fn migrate(&self) -> StoreResult<()> {
        Ok(())
    }
    /// Closes the pool.
    pub async fn close(&self) {}
}

impl Storage for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        unimplemented!()
    }
    async fn upsert_user(&self, _identity: &Identity) -> StoreResult<User> {
        unimplemented!()
    }
    async fn get_user(&self, _id: Uuid) -> StoreResult<Option<User>> {
        unimplemented!()
    }
    async fn create_project(
        &self,
        _owner: Uuid,
        _name: &str,
        _description: Option<&str>,
    ) -> StoreResult<Project> {
        unimplemented!()
    }
    async fn get_project(&self, _owner: Uuid, _id: Uuid) -> StoreResult<Option<Project>> {
        unimplemented!()
    }
    async fn list_projects(&self, _owner: Uuid, _page: PageRequest) -> StoreResult<Page<Project>> {
        unimplemented!()
    }
    async fn update_project(
        &self,
        _owner: Uuid,
        _id: Uuid,
        _name: Option<&str>,
        _description: Option<Option<&str>>,
    ) -> StoreResult<Option<Project>> {
        unimplemented!()
    }
    async fn delete_project(&self, _owner: Uuid, _id: Uuid) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn create_spec(
        &self,
        _owner: Uuid,
        _project_id: Uuid,
        _name: &str,
        _content: &SpecContent,
    ) -> StoreResult<Option<Spec>> {
        unimplemented!()
    }
    async fn get_spec(&self, _owner: Uuid, _id: Uuid) -> StoreResult<Option<Spec>> {
        unimplemented!()
    }
    async fn list_specs(
        &self,
        _owner: Uuid,
        _project_id: Uuid,
        _page: PageRequest,
    ) -> StoreResult<Option<Page<Spec>>> {
        unimplemented!()
    }
    async fn update_spec(
        &self,
        _owner: Uuid,
        _id: Uuid,
        _expected_revision: Option<i64>,
        _changes: &SpecChanges,
    ) -> StoreResult<Option<Spec>> {
        unimplemented!()
    }
    async fn delete_spec(&self, _owner: Uuid, _id: Uuid) -> StoreResult<bool> {
        unimplemented!()
    }
    async fn list_revisions(
        &self,
        _owner: Uuid,
        _spec_id: Uuid,
        _page: PageRequest,
    ) -> StoreResult<Option<Page<SpecRevision>>> {
        unimplemented!()
    }
    async fn get_revision(
        &self,
        _owner: Uuid,
        _spec_id: Uuid,
        _revision: i64,
    ) -> StoreResult<Option<SpecRevision>> {
        unimplemented!()
    }
}
