//! The browser's assets: the stylesheet and the islands' WebAssembly bundle.
//!
//! `scripts/common.sh build_site` names each file after a hash of its content (so browsers may
//! keep them for a year: a new build has new names) and lists the names in `pkg/assets.txt`:
//!
//! ```text
//! css=vitasync.3f9c….css
//! js=vitasync.81ad….js
//! wasm=vitasync.81ad…_bg.wasm
//! ```
//!
//! Pages are rendered on the server in full; only islands (`#[island]` components, e.g. the
//! copy button) run in the browser. The loader below fetches the bundle only on pages that have
//! an island, after the page is idle, so most pages download no WebAssembly at all.

use std::path::Path;
use std::sync::OnceLock;

use leptos::config::LeptosOptions;

static ASSETS: OnceLock<Assets> = OnceLock::new();

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    /// `/pkg/vitasync.<hash>.css`
    pub css: String,
    /// `/pkg/vitasync.<hash>.js` (wasm-bindgen's module)
    pub js: String,
    /// `/pkg/vitasync.<hash>_bg.wasm`
    pub wasm: String,
}

impl Assets {
    /// Reads `assets.txt` in the site's package directory; without one (a build made another
    /// way, or tests with no site), the plain names wasm-bindgen and the stylesheet copy use.
    pub fn read(site_root: &Path, pkg_dir: &str, output_name: &str) -> Assets {
        let listed =
            std::fs::read_to_string(site_root.join(pkg_dir).join("assets.txt")).unwrap_or_default();
        let named = |key: &str, default: String| {
            listed
                .lines()
                .filter_map(|l| l.split_once('='))
                .find(|(k, v)| k.trim() == key && is_file_name(v.trim()))
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or(default)
        };
        let url = |file: String| format!("/{pkg_dir}/{file}");
        Assets {
            css: url(named("css", format!("{output_name}.css"))),
            js: url(named("js", format!("{output_name}.js"))),
            wasm: url(named("wasm", format!("{output_name}_bg.wasm"))),
        }
    }

    /// The assets of the site these options describe (read once per process; the server reads
    /// them when it builds its router).
    pub fn of(options: &LeptosOptions) -> &'static Assets {
        ASSETS.get_or_init(|| {
            Assets::read(
                Path::new(options.site_root.as_ref()),
                options.site_pkg_dir.as_ref(),
                options.output_name.as_ref(),
            )
        })
    }

    /// The stylesheet's address, for pages written outside Leptos (the demo provider's).
    pub fn stylesheet() -> String {
        ASSETS
            .get()
            .map(|a| a.css.clone())
            .unwrap_or_else(|| "/pkg/vitasync.css".to_string())
    }

    /// The module script that wakes the page's islands: nothing is fetched when there is none.
    /// Each `<leptos-island>` names the function the bundle exports for it.
    pub fn island_loader(&self) -> String {
        let js = serde_json::to_string(&self.js).unwrap_or_default();
        let wasm = serde_json::to_string(&self.wasm).unwrap_or_default();
        format!(
            "const islands=document.querySelectorAll('leptos-island');\
             if(islands.length){{const wake=()=>import({js}).then(m=>m.default({{module_or_path:{wasm}}}).then(()=>{{\
             m.hydrate();islands.forEach(el=>{{const f=m[el.dataset.component];if(f)f(el)}});\
             document.documentElement.dataset.hydrated=String(Math.round(performance.now()))}}));\
             ('requestIdleCallback' in window)?requestIdleCallback(wake,{{timeout:500}}):setTimeout(wake,1)}}"
        )
    }
}

/// A plain file name (no path, no quote): what `assets.txt` may list.
fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_names_are_used_and_missing_ones_fall_back() {
        let dir = std::env::temp_dir().join(format!("vitasync-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(
            dir.join("pkg/assets.txt"),
            "css=vitasync.abc123.css\njs=vitasync.def456.js\nwasm=../../etc/passwd\n",
        )
        .unwrap();
        let a = Assets::read(&dir, "pkg", "vitasync");
        assert_eq!(a.css, "/pkg/vitasync.abc123.css");
        assert_eq!(a.js, "/pkg/vitasync.def456.js");
        // A name with a path in it is refused: the plain name is used instead.
        assert_eq!(a.wasm, "/pkg/vitasync_bg.wasm");
        std::fs::remove_dir_all(&dir).unwrap();
        let none = Assets::read(&dir, "pkg", "vitasync");
        assert_eq!(none.css, "/pkg/vitasync.css");
    }

    #[test]
    fn the_loader_fetches_nothing_without_islands() {
        let a = Assets::read(Path::new("/nonexistent"), "pkg", "vitasync");
        let script = a.island_loader();
        assert!(script.starts_with(
            "const islands=document.querySelectorAll('leptos-island');if(islands.length){"
        ));
        assert!(script.contains("import(\"/pkg/vitasync.js\")"));
        assert!(script.contains("module_or_path:\"/pkg/vitasync_bg.wasm\""));
    }
}
