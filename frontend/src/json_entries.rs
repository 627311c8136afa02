//! JSON objects read as `(name, value)` vectors in document order. Each `BTreeMap<K, V>`
//! instantiation adds its own B-tree code (~5 KB) to the WebAssembly; the objects read here are
//! small and looked up rarely, so a vector and a linear [`get`] cost less.

/// A JSON object as its (name, value) pairs in document order: costs less WebAssembly than
/// another `BTreeMap` instantiation.
pub fn entries<'de, D, V>(deserializer: D) -> Result<Vec<(String, V)>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: serde::Deserialize<'de>,
{
    struct Entries<V>(std::marker::PhantomData<V>);
    impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Entries<V> {
        type Value = Vec<(String, V)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    deserializer.deserialize_map(Entries(std::marker::PhantomData))
}

/// The value named `name` in `entries`.
pub fn get<'a, V>(entries: &'a [(String, V)], name: &str) -> Option<&'a V> {
    entries
        .iter()
        .find(|(known, _)| known == name)
        .map(|(_, value)| value)
}
