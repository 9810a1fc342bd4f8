using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;

namespace Hort.Server.Tests;

/// <summary>Short forms for JSON calls with the protocol's source-generated types.</summary>
internal static class Json
{
    public static Task<HttpResponseMessage> PostAsync<T>(this HttpClient client, string route, T body, JsonTypeInfo<T> type) =>
        client.PostAsJsonAsync(route, body, type, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PutAsync<T>(this HttpClient client, string route, T body, JsonTypeInfo<T> type) =>
        client.PutAsJsonAsync(route, body, type, TestContext.Current.CancellationToken);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, JsonTypeInfo<T> type) =>
        (await response.Content.ReadFromJsonAsync(type, TestContext.Current.CancellationToken))!;

    public static async Task<T> GetAsync<T>(this HttpClient client, string route, JsonTypeInfo<T> type) =>
        (await client.GetFromJsonAsync(route, type, TestContext.Current.CancellationToken))!;
}
