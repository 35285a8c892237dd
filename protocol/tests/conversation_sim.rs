use iotxfer::catalog;
#[test]
fn dump() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/corpus/examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for m in catalog::messages() {
        let topic: String = m
            .topic
            .split('/')
            .map(|l| if l.starts_with('{') { "DEV1" } else { l })
            .collect::<Vec<_>>()
            .join("/");
        let mut found = vec![];
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let c = iotxfer::check(&topic, &bytes);
            if c.message == Some(m.id) {
                found.push(format!(
                    "{}:{:?}",
                    f.file_name().unwrap().to_str().unwrap(),
                    c.verdict
                ));
            }
        }
        println!("{} {:?}", m.id, found);
    }
}
