using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(BertFunctions.Benchmarks.TokenizerThroughput).Assembly).Run(args);
