using System.Runtime.Intrinsics;
using Pipeline.Bench;
using Pipeline.Numerics.Kernels;

var parsed = new BenchArguments(args);
switch (args.FirstOrDefault())
{
    case "gemm":
        return GemmBenchmark.Run(parsed);
    case "mlp":
        return MlpBenchmark.Run(parsed);
    case "profile-seed":
        return SeedStepProfile.Run();
    case "profile-wide":
        return WideStepProfile.Run(parsed);
    case "pack":
        return PackingBenchmark.Run(parsed);
    case "backend-check":
        return BackendCheck.Run(parsed);
    case "gemm-paired":
        return OpenBlasPairing.Run(parsed);
    case "dispatch":
        return PoolDispatchBenchmark.Run(parsed);
    case "tune":
        return GemmTuning.Run(parsed);
    case "kernel":
        return KernelBenchmark.Run(parsed);
    case "bdn":
        // BenchmarkDotNet suites (statistics, allocation columns); e.g. `-- bdn --filter '*Gemm*'`.
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromTypes([typeof(GemmSuite), typeof(TrainingStepSuite)]).Run(args[1..]);
        return 0;
    case "info":
        Console.WriteLine($"kernel={KernelSelection.Best} v512={Vector512.IsHardwareAccelerated} v256={Vector256.IsHardwareAccelerated} v128={Vector128.IsHardwareAccelerated} cpus={Environment.ProcessorCount}");
        return 0;
    default:
        Console.Error.WriteLine(
            "usage: Pipeline.Bench gemm --size N --threads T [--json] | mlp --preset seed|wide --threads T [--json]\n" +
            "       | gemm-paired --size N --threads T | profile-seed | profile-wide | pack | kernel | tune | dispatch [--threads T] [--spin-us U] | backend-check --backend B | bdn | info\n" +
            "(see src/Numerics/README.md, Benchmarks, for each command's options)");
        return 2;
}
