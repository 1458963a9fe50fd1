//! The compiled form of a function: a Wasm module in Javy's dynamic-linking shape.
//!
//! The module holds the function's QuickJS bytecode in a passive data segment
//! and imports the engine plugin's `cabi_realloc`, `invoke` and `memory`; its
//! `_start` copies the bytecode into the plugin's memory and calls `invoke`.
//! Any host that preloads the plugin can run it. A custom section records the
//! plugin it was built for, so a stale artifact is refused instead of run.
//!
//! hookbox itself does what `_start` does from the host side (allocate, copy,
//! invoke), which saves instantiating and compiling a second module per call.

use std::sync::Arc;
use wasm_encoder::{
    CodeSection, CustomSection, DataCountSection, DataSection, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, ImportSection, Instruction, MemoryType, Module,
    TypeSection, ValType,
};

/// The module name artifacts import the plugin from (the plugin's
/// `import_namespace` custom section says the same).
pub const PLUGIN_NAMESPACE: &str = "hookbox_plugin_v1";

/// Custom section holding the plugin hash an artifact was built for.
const PLUGIN_SECTION: &str = "hookbox:plugin";

/// A compiled function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    plugin: String,
    bytecode: Arc<[u8]>,
}

/// Bytes that are not an artifact this engine can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a hookbox artifact: {0}")]
pub struct ArtifactError(pub String);

impl Artifact {
    pub(crate) fn new(plugin: String, bytecode: Vec<u8>) -> Self {
        Self {
            plugin,
            bytecode: bytecode.into(),
        }
    }

    /// Hash of the engine plugin this artifact was compiled by.
    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// The QuickJS bytecode.
    pub fn bytecode(&self) -> &[u8] {
        &self.bytecode
    }

    /// The artifact as a standalone `.wasm` module (what the store persists).
    pub fn to_wasm(&self) -> Vec<u8> {
        let len = i32::try_from(self.bytecode.len()).expect("bytecode under 2 GiB");
        let mut module = Module::new();

        let mut types = TypeSection::new();
        let i32s = |n| vec![ValType::I32; n];
        types.ty().function(i32s(4), i32s(1)); // 0: cabi_realloc
        types.ty().function(i32s(5), []); // 1: invoke
        types.ty().function([], []); // 2: _start
        module.section(&types);

        let mut imports = ImportSection::new();
        imports.import(PLUGIN_NAMESPACE, "cabi_realloc", EntityType::Function(0));
        imports.import(PLUGIN_NAMESPACE, "invoke", EntityType::Function(1));
        imports.import(
            PLUGIN_NAMESPACE,
            "memory",
            EntityType::Memory(MemoryType {
                minimum: 0,
                maximum: None,
                memory64: false,
                shared: false,
                page_size_log2: None,
            }),
        );
        module.section(&imports);

        let mut functions = FunctionSection::new();
        functions.function(2);
        module.section(&functions);

        let mut exports = ExportSection::new();
        exports.export("_start", ExportKind::Func, 2);
        module.section(&exports);

        module.section(&DataCountSection { count: 1 });

        let mut start = Function::new([(1, ValType::I32)]);
        let ptr = 0;
        for ins in [
            Instruction::I32Const(0),
            Instruction::I32Const(0),
            Instruction::I32Const(1),
            Instruction::I32Const(len),
            Instruction::Call(0),
            Instruction::LocalSet(ptr),
            Instruction::LocalGet(ptr),
            Instruction::I32Const(0),
            Instruction::I32Const(len),
            Instruction::MemoryInit {
                mem: 0,
                data_index: 0,
            },
            Instruction::DataDrop(0),
            Instruction::LocalGet(ptr),
            Instruction::I32Const(len),
            Instruction::I32Const(0),
            Instruction::I32Const(0),
            Instruction::I32Const(0),
            Instruction::Call(1),
            Instruction::End,
        ] {
            start.instruction(&ins);
        }
        let mut code = CodeSection::new();
        code.function(&start);
        module.section(&code);

        let mut data = DataSection::new();
        data.passive(self.bytecode.iter().copied());
        module.section(&data);

        module.section(&CustomSection {
            name: PLUGIN_SECTION.into(),
            data: self.plugin.as_bytes().into(),
        });
        module.finish()
    }

    /// Reads an artifact back from its `.wasm` form.
    pub fn from_wasm(wasm: &[u8]) -> Result<Self, ArtifactError> {
        let err = |m: &str| ArtifactError(m.to_string());
        let mut plugin = None;
        let mut bytecode = None;
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            match payload.map_err(|e| ArtifactError(e.to_string()))? {
                wasmparser::Payload::CustomSection(section) if section.name() == PLUGIN_SECTION => {
                    let hash = std::str::from_utf8(section.data())
                        .map_err(|_| err("plugin hash is not UTF-8"))?;
                    plugin = Some(hash.to_string());
                }
                wasmparser::Payload::DataSection(reader) => {
                    for data in reader {
                        let data = data.map_err(|e| ArtifactError(e.to_string()))?;
                        if bytecode.replace(data.data.to_vec()).is_some() {
                            return Err(err("more than one data segment"));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(Self::new(
            plugin.ok_or_else(|| err("no plugin section"))?,
            bytecode.ok_or_else(|| err("no bytecode segment"))?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_round_trips_and_validates() {
        let a = Artifact::new("abc123".into(), vec![1, 2, 3, 4, 5]);
        let wasm = a.to_wasm();
        wasmparser::Validator::new()
            .validate_all(&wasm)
            .expect("valid module");
        assert_eq!(Artifact::from_wasm(&wasm).unwrap(), a);
        assert!(Artifact::from_wasm(b"\0asm\x01\0\0\0").is_err());
        assert!(Artifact::from_wasm(b"garbage").is_err());
    }
}
