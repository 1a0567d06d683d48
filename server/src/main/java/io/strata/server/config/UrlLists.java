package io.strata.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Comma-separated URL lists as etcd's URL flags accept them: http, https, unix and unixs
 * schemes, {@code host:port} for the network ones, no path. Lists come back sorted and without
 * duplicates, because etcd normalises them that way and members compare them as strings.
 */
final class UrlLists {

    private UrlLists() {
    }

    static List<URI> parse(String commaSeparated) throws FlagValueException {
        TreeMap<String, URI> unique = new TreeMap<>();
        String[] parts = commaSeparated.split(",", -1);
        for (String part : parts) {
            URI uri = parseOne(part.strip());
            unique.putIfAbsent(uri.toString(), uri);
        }
        return List.copyOf(unique.values());
    }

    static URI parseOne(String text) throws FlagValueException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new FlagValueException("parse \"" + text + "\": " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "http":
            case "https":
                String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
                if (splitHostPort(authority) == null) {
                    throw new FlagValueException(
                            "URL address does not have the form \"host:port\": " + text);
                }
                if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
                    throw new FlagValueException("URL must not contain a path: " + text);
                }
                return uri;
            case "unix":
            case "unixs":
                return uri;
            default:
                throw new FlagValueException(
                        "URL scheme must be http, https, unix, or unixs: " + text);
        }
    }

    /**
     * Splits {@code host:port} (with {@code [v6]:port}) into its two parts, or returns null when
     * the text has no port or too many colons. An empty host or port is allowed, as in etcd.
     */
    static String[] splitHostPort(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        String host = hostPort.substring(0, colon);
        String port = hostPort.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) {
                return null;
            }
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            return null;
        }
        if (port.contains("[") || port.contains("]")) {
            return null;
        }
        return new String[] {host, port};
    }

    /** The host of a network URL as etcd sees it, or null for unix sockets and odd authorities. */
    static String host(URI uri) {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return null;
        }
        String[] hostPort = splitHostPort(authority);
        return hostPort == null ? null : hostPort[0];
    }

    /** True for IPv4 dotted quads and IPv6 literals; names are never resolved here. */
    static boolean isIpLiteral(String host) {
        if (host.contains(":")) {
            return isIpv6(host);
        }
        String[] octets = host.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String octet : octets) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
                return false;
            }
            if (octet.length() > 1 && octet.charAt(0) == '0') {
                return false;
            }
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv6(String host) {
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            // A literal containing ':' is never looked up in DNS, so this cannot block.
            return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address
                    || host.contains("::ffff:");
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    static List<String> toStrings(List<URI> uris) {
        List<String> out = new ArrayList<>(uris.size());
        for (URI uri : uris) {
            out.add(uri.toString());
        }
        return out;
    }
}
