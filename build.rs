//! Generates `include/sqlurl.h` from the `extern "C"` functions with cbindgen.
//! The header is committed; CI checks that a build leaves it unchanged.

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let config = cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")).expect("cbindgen.toml");
    match cbindgen::Builder::new().with_crate(&crate_dir).with_config(config).generate() {
        Ok(bindings) => {
            // write_to_file only rewrites the file when its content changes.
            bindings.write_to_file(format!("{crate_dir}/include/sqlurl.h"));
        }
        Err(e) => {
            // A parse error in the sources shows up as a compile error anyway; do not hide it.
            println!("cargo:warning=cbindgen could not generate include/sqlurl.h: {e}");
        }
    }
}
