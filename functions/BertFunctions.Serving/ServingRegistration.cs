using BertFunctions.Serving.Api;
using BertFunctions.Serving.Live;
using BertFunctions.Serving.Models;
using BertFunctions.Serving.Packages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace BertFunctions.Serving;

/// <summary>Registration of the classification endpoint for any host. The host provides a <c>BlobServiceClient</c> and binds <see cref="ServingOptions"/> (section <c>Serving</c>) if it wants to.</summary>
public static class ServingRegistration
{
    public static IServiceCollection AddServing(this IServiceCollection services, Action<ServingOptions>? configure = null)
    {
        var builder = services.AddOptions<ServingOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServingOptions>, ServingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ModelPackageCache>();
        services.TryAddSingleton<TokenizationSettingsReader>();
        services.TryAddSingleton<ModelLoader>();
        services.TryAddSingleton<LiveModelCache>();
        services.TryAddSingleton<ClassifyApi>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DefaultModelPreloader>());
        return services;
    }
}

/// <summary>Refuses unusable settings at start, naming each problem.</summary>
internal sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    public ValidateOptionsResult Validate(string? name, ServingOptions options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
