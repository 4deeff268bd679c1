package nn.serve;

/** A request the server answers with an HTTP error status and a one-line JSON {@code {"error": "..."}}. */
final class ApiException extends RuntimeException {
    final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    static ApiException notFound() {
        return new ApiException(404, "not found");
    }
}
