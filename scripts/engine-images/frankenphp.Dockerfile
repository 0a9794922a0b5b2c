# image: dunglas/frankenphp
# tags: php8.2 builder-php8.2 php8.2-bookworm builder-php8.2-bookworm
#
# Stand-in for dunglas/frankenphp:php8.2 and :builder-php8.2 (one image for both tags), built
# by scripts/engine.sh FROM its debian:bookworm-slim. FrankenPHP (Caddy with PHP embedded) is
# not packaged anywhere reachable: Debian's php8.2-cli serves the app through PHP's built-in
# web server behind a `frankenphp` command that accepts what the generated Dockerfiles run
# (`frankenphp php-server --listen :PORT -r ROOT`), with FrankenPHP's routing (existing files,
# then ROOT/index.php). `install-php-extensions` installs Debian's php8.2-<ext> packages;
# Composer is Debian's, already installed (the real builder downloads it for `@composer`).
ARG BASE
FROM ${BASE}
ENV PHP_INI_DIR=/usr/local/etc/php \
    PHPRC=/usr/local/etc/php \
    PHP_INI_SCAN_DIR=/etc/php/8.2/cli/conf.d:/usr/local/etc/php/conf.d \
    XDG_CONFIG_HOME=/config \
    XDG_DATA_HOME=/data
COPY <<'SH' /usr/local/bin/frankenphp
#!/bin/sh
# Stand-in for FrankenPHP's `php-server` (docs/engine.md): PHP's built-in server.
set -eu
[ "${1:-}" = php-server ] || { echo "frankenphp stand-in: only 'php-server' is available" >&2; exit 2; }
shift
listen=:80 root=.
while [ $# -gt 0 ]; do
  case $1 in
    -l|--listen) listen=$2; shift 2 ;;
    -r|--root) root=$2; shift 2 ;;
    *) echo "frankenphp stand-in: ignoring option $1" >&2; shift ;;
  esac
done
case $listen in :*) listen=0.0.0.0$listen ;; esac
root=$(cd "$root" && pwd)
echo "frankenphp stand-in: php -S $listen -t $root"
exec php -S "$listen" -t "$root" /usr/local/lib/frankenphp-router.php
SH
COPY <<'PHP' /usr/local/lib/frankenphp-router.php
<?php
// FrankenPHP's php_server routing: an existing file (PHP or static), else index.php.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && is_file($file)) {
    return false;
}
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
    return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
chdir($_SERVER['DOCUMENT_ROOT']);
require $_SERVER['SCRIPT_FILENAME'];
PHP
COPY <<'SH' /usr/local/bin/install-php-extensions
#!/bin/sh
# Stand-in for mlocati's install-php-extensions: Debian's php8.2-<ext> packages.
set -eu
pkgs=
for ext in "$@"; do
  case $ext in
    @composer) command -v composer >/dev/null || pkgs="$pkgs composer" ;;
    opcache|json|ctype|iconv|tokenizer|fileinfo|pdo|phar|posix|sockets|exif|ffi|gettext|calendar|shmop|sysvmsg|sysvsem|sysvshm) php -m | grep -qix "zend $ext\|$ext" || pkgs="$pkgs php8.2-common" ;;
    *) php -m | grep -qix "$ext" || pkgs="$pkgs php8.2-$ext" ;;
  esac
done
[ -n "$pkgs" ] || exit 0
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $pkgs
rm -rf /var/lib/apt/lists/*
SH
RUN chmod 755 /usr/local/bin/frankenphp /usr/local/bin/install-php-extensions \
 && apt-get update \
 && apt-get install -y --no-install-recommends php8.2-cli php8.2-opcache php8.2-curl php8.2-mbstring \
      php8.2-xml php8.2-sqlite3 composer \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && mkdir -p "$PHP_INI_DIR/conf.d" /data/caddy /config/caddy /app/public \
 && cp /usr/lib/php/8.2/php.ini-production /usr/lib/php/8.2/php.ini-development "$PHP_INI_DIR/" \
 && php --version && php --ini && composer --version
WORKDIR /app
CMD ["frankenphp", "php-server", "--listen", ":80", "-r", "public"]
