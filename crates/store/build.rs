// `sqlx::migrate!` embeds the migrations when the crate compiles, but cargo
// does not know it reads them: without this a new migration file is left out
// of the build until some source file changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
