export * from './gpt2-tokenizer';
export * from './transformer-graphs';
export * from './language-model-bundles';
export * from './demo-bundles';
