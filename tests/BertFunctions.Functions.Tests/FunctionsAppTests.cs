using System.Reflection;
using BertFunctions.Functions.Durable;
using BertFunctions.LocalHost;
using BertFunctions.Orchestration;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;

namespace BertFunctions.Functions.Tests;

/// <summary>
/// The Functions host cannot run on this machine (see the platform notes), so the app is checked against what runs
/// here: every orchestrator and activity the in-process engine registers has a Function of the same name, and every
/// HTTP route the local host serves is an HTTP trigger with the same method and route.
/// </summary>
public sealed class FunctionsAppTests
{
    private static readonly IReadOnlyList<MethodInfo> Functions = [.. typeof(ActivityFunctions).Assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance))
        .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)];

    [Fact]
    public void Every_orchestrator_and_activity_is_a_function_of_the_same_name_with_the_right_trigger()
    {
        foreach (var type in PipelineRegistration.Orchestrators)
        {
            var function = Assert.Single(Functions, f => f.GetCustomAttribute<FunctionAttribute>()!.Name == type.Name);
            Assert.Contains(function.GetParameters(), p => p.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null);
        }

        foreach (var type in PipelineRegistration.Activities)
        {
            var function = Assert.Single(Functions, f => f.GetCustomAttribute<FunctionAttribute>()!.Name == type.Name);
            var trigger = Assert.Single(function.GetParameters(), p => p.GetCustomAttribute<ActivityTriggerAttribute>() is not null);

            // The trigger's input type is the activity's input type.
            var activityBase = type.BaseType!;
            Assert.Equal(activityBase.GetGenericArguments()[0], trigger.ParameterType);
        }
    }

    [Fact]
    public async Task The_local_host_serves_exactly_the_http_routes_of_the_functions_app()
    {
        var functionRoutes = Functions
            .Select(f => f.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null))
            .Where(a => a is not null)
            .SelectMany(a => a!.Methods!.Select(m => $"{m.ToUpperInvariant()} /api/{a.Route}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        await using var app = LocalPipelineHost.Build(new LocalHostOptions { Storage = "UseDevelopmentStorage=true", Url = "http://127.0.0.1:0" });
        var localRoutes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(functionRoutes, localRoutes);
    }

    [Fact]
    public void A_classify_key_opens_classification_only_the_rest_needs_the_admin_key()
    {
        // A function key handed to a classify client (the Classify function's own key) must not start GPU training,
        // cancel runs or read runs and reports: those are Admin level (the master key; Function level accepts any host key).
        var triggers = Functions
            .Select(f => f.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null))
            .OfType<HttpTriggerAttribute>()
            .ToList();
        Assert.NotEmpty(triggers);
        foreach (var trigger in triggers)
        {
            var expected = trigger.Route switch
            {
                "health" => AuthorizationLevel.Anonymous,
                "classify" or "classify/health" => AuthorizationLevel.Function,
                _ => AuthorizationLevel.Admin,
            };
            Assert.True(expected == trigger.AuthLevel, $"{trigger.Route}: {trigger.AuthLevel}, expected {expected}");
        }
    }
}
