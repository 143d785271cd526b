use leptos::prelude::*;
use leptos_meta::Title;

use super::server_fns::{list_workspaces, CreateWorkspace};
use crate::ui::{
    action_error, field_error, Access, ErrorPanel, FormError, FormField, Guarded, Submit,
};

#[component]
pub fn InstancePage() -> impl IntoView {
    view! {
        <Title text="Instance"/>
        <Guarded access=Access::Owner page=|_| view! { <Instance/> }/>
    }
}

#[component]
fn Instance() -> impl IntoView {
    let create = ServerAction::<CreateWorkspace>::new();
    let workspaces = Resource::new(move || create.version().get(), |_| list_workspaces());
    let error = action_error(create);
    let posted = crate::ui::action_done(create);
    let created = move || match create.value().get() {
        Some(Ok(name)) => Some(format!(
            "Workspace \u{201c}{name}\u{201d} created. Its admin can sign in now."
        )),
        _ => posted
            .get()
            .then(|| "Workspace created. Its admin can sign in now.".to_string()),
    };
    view! {
        <header class="page-header">
            <h1>"Instance"</h1>
            <p class="muted">"Every workspace on this server. Each one's data is kept apart from the others."</p>
        </header>
        <div class="admin-grid">
            <section class="card wide" aria-labelledby="ws-title">
                <h2 id="ws-title" class="card-title">"Workspaces"</h2>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match workspaces.await {
                            Ok(list) => view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Scrollable table">
                                    <table class="table">
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Address"</th><th scope="col" class="num">"People"</th><th scope="col">"Created"</th></tr></thead>
                                        <tbody>
                                            {list.into_iter().map(|w| view! {
                                                <tr>
                                                    <td>{w.name}{w.is_yours.then(|| view! { <span class="badge">"Yours"</span> })}</td>
                                                    <td><code>{w.slug}</code></td>
                                                    <td class="num">{w.members}</td>
                                                    <td>{w.created}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any(),
                            Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="card" aria-labelledby="new-ws-title">
                <h2 id="new-ws-title" class="card-title">"New workspace"</h2>
                {move || created().map(|msg| view! { <p class="alert alert-success" role="status">{msg}</p> })}
                <ActionForm action=create attr:class="stack" attr:novalidate=true>
                    <FormError error=error/>
                    <FormField label="Name" name="name" required=true error=field_error(error, "name")/>
                    <FormField label="Address (slug)" name="slug" hint="Optional. Made from the name when left empty, e.g. acme-health."
                        error=field_error(error, "slug")/>
                    <FormField label="Admin email" name="admin_email" kind="email" required=true error=field_error(error, "admin_email")/>
                    <FormField label="Admin password" name="admin_password" kind="password" autocomplete="new-password" required=true
                        hint="At least 8 characters. Share it with the admin privately." error=field_error(error, "admin_password")/>
                    <Submit label="Create workspace" pending=create.pending()/>
                </ActionForm>
            </section>
        </div>
    }
}
