#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Before GTK, WebKit or any thread: they read these at start (see the module).
    hearth_app::rendering::apply_rendering_defaults();
    hearth_app::run()
}
