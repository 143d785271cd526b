//! The tiny script every page carries in its <head>. It runs before first paint and without the
//! WebAssembly bundle, so it works even when JavaScript-heavy parts fail:
//! - applies the remembered theme (light / dark / system) so there is no flash of the wrong one;
//! - makes every `[data-theme-toggle]` button cycle the theme and remember it;
//! - fills `[data-detect-timezone]` inputs with the browser's IANA time zone on submit.

pub const HEAD_SCRIPT: &str = r#"(function(){
var d=document.documentElement,k='vitasync-theme';
function apply(t){if(t==='light'||t==='dark'){d.dataset.theme=t}else{delete d.dataset.theme}
document.querySelectorAll('[data-theme-toggle]').forEach(function(b){b.setAttribute('aria-label','Theme: '+(t||'system')+'. Switch theme');b.dataset.current=t||'system'})}
var t=null;try{t=localStorage.getItem(k)}catch(e){}
apply(t);
document.addEventListener('DOMContentLoaded',function(){apply(t)});
document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('[data-theme-toggle]');if(!b)return;
t=t==='light'?'dark':t==='dark'?null:'light';try{t?localStorage.setItem(k,t):localStorage.removeItem(k)}catch(e){}apply(t)});
function tz(){try{return Intl.DateTimeFormat().resolvedOptions().timeZone||''}catch(e){return ''}}
document.addEventListener('submit',function(e){var f=e.target;if(!f.querySelectorAll)return;
f.querySelectorAll('input[data-detect-timezone]').forEach(function(i){if(!i.value)i.value=tz()})},true);
})();"#;
