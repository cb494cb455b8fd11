namespace BertFunctions.Infra.Tests;

/// <summary>`bicep build` and `bicep lint` on every template under infra/: no errors, no warnings, no infos.</summary>
public sealed class TemplateTests(InfraTemplates infra)
{
    [Fact]
    public void Every_template_is_found()
    {
        Assert.Contains("main.bicep", infra.Templates);
        Assert.Contains("modules/upload-subscription.bicep", infra.Templates);
        Assert.True(infra.Templates.Count >= 8, $"only {infra.Templates.Count} templates: {string.Join(", ", infra.Templates)}");
    }

    [Fact]
    public void Every_template_builds_with_no_diagnostics()
    {
        Assert.True(infra.BuildExitCode == 0, $"bicep build failed ({infra.BuildExitCode}):\n{infra.BuildOutput}");
        Assert.Empty(Bicep.Diagnostics(infra.BuildOutput));
        Assert.Equal(infra.Templates, infra.Compiled.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_template_lints_with_no_diagnostics()
    {
        Assert.True(infra.LintExitCode == 0, $"bicep lint failed ({infra.LintExitCode}):\n{infra.LintOutput}");
        Assert.Empty(Bicep.Diagnostics(infra.LintOutput));
    }

    [Fact]
    public async Task The_linter_with_the_repository_settings_fails_a_template_that_outputs_a_key()
    {
        // The same bicepconfig.json, in a folder of its own, with a template that leaks the account key.
        var folder = Path.Combine(Path.GetTempPath(), $"bertfn-infra-lint-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            File.Copy(Path.Combine(Bicep.Infra, "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            await File.WriteAllTextAsync(Path.Combine(folder, "leak.bicep"), """
                param accountName string

                resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
                  name: accountName
                }

                output storageKey string = account.listKeys().keys[0].value
                """, TestContext.Current.CancellationToken);

            var (exit, output) = await Bicep.RunAsync(folder, "lint", "leak.bicep");

            Assert.NotEqual(0, exit);
            Assert.Contains(Bicep.Diagnostics(output), d => d.Contains("Error outputs-should-not-contain-secrets", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
