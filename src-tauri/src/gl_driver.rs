//! Keeps the system's OpenGL driver out of the app's own process when the webview renders
//! in software (the default, `gpu_compositing = false`).
//!
//! Why: on Debian every Mesa driver is one file linked to LLVM; loading it costs a process
//! about 55 MB of resident memory (LLVM's relocated tables), measured under Xvfb with
//! `src-tauri/bench/startup.sh`: the app process went from about 157 MB to about 101 MB
//! RSS. Two things load it in the app process: GTK probing GLX for its visuals, and
//! WebKit's UI side opening an EGL display. Neither needs it when WebKit draws in software: the page
//! arrives as shared-memory images. WebKit's web process still needs EGL (it stops without
//! it), so the environment it inherits is left as it was.
//!
//! This is the one place of the app with `unsafe`: changing the environment (which must
//! happen before the app starts any thread of its own) and calling libEGL through `dlopen`.
#![allow(unsafe_code)]

/// libglvnd reads this once, when the process first uses EGL: the JSON files of the EGL
/// drivers to load. A file that does not exist means no driver at all.
const EGL_VENDOR_FILES: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";
/// GTK 3 reads this when it starts: `disable` turns GTK's OpenGL support off.
const GDK_GL: &str = "GDK_GL";

/// What happened, for the log (written once logging has started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// GTK and WebKit's UI side run without any OpenGL driver in this process.
    KeptOut,
    /// Someone set one of the variables already; left to them.
    LeftToEnvironment,
    /// libEGL could not be opened or has no `eglQueryString`: nothing to keep out.
    NoEgl,
}

/// Call first thing in `main`, before the app starts any thread (logging, the embedded hub's
/// supervisor, tauri). Afterwards this process sees no EGL driver; child processes started
/// later (WebKit's) see the environment as it was, apart from `GDK_GL=disable`, which only
/// GTK reads. A libEGL without libglvnd ignores the driver list: then only GTK's probe is
/// kept out.
pub fn keep_out_of_this_process() -> Outcome {
    if std::env::var_os(EGL_VENDOR_FILES).is_some() || std::env::var_os(GDK_GL).is_some() {
        return Outcome::LeftToEnvironment;
    }
    // SAFETY: no thread of ours exists yet. The one other thread at this point is WebKit's
    // memory scavenger (libpas), started by a library constructor before `main`; it does not
    // read the environment. (glibc also keeps replaced environment arrays alive, so even a
    // concurrent `getenv` would read valid memory.)
    unsafe {
        std::env::set_var(GDK_GL, "disable");
        std::env::set_var(
            EGL_VENDOR_FILES,
            "/nonexistent/loket-software-rendering.json",
        );
    }
    let outcome = load_egl_vendors_now();
    // SAFETY: as above.
    unsafe { std::env::remove_var(EGL_VENDOR_FILES) };
    outcome
}

/// Makes libglvnd read its (now empty) driver list: `eglQueryString(EGL_NO_DISPLAY,
/// EGL_EXTENSIONS)` is the cheapest call that does. The library stays loaded for the life of
/// the process, so the list is not read again.
fn load_egl_vendors_now() -> Outcome {
    const EGL_EXTENSIONS: i32 = 0x3055;
    type QueryString = unsafe extern "C" fn(*mut std::ffi::c_void, i32) -> *const std::ffi::c_char;
    // SAFETY: libEGL's initialisers only set up libglvnd's tables.
    let Ok(lib) = (unsafe { libloading::Library::new("libEGL.so.1") }) else {
        return Outcome::NoEgl;
    };
    // SAFETY: the signature is eglQueryString's (EGLDisplay, EGLint) -> const char*.
    let outcome = match unsafe { lib.get::<QueryString>(b"eglQueryString\0") } {
        Ok(query) => {
            // SAFETY: EGL_NO_DISPLAY (null) with EGL_EXTENSIONS is valid without a display;
            // the answer (perhaps null) is not read.
            unsafe { query(std::ptr::null_mut(), EGL_EXTENSIONS) };
            Outcome::KeptOut
        }
        Err(_) => Outcome::NoEgl,
    };
    std::mem::forget(lib);
    outcome
}
