# tags: 3.1-slim 3.1 3.1.2 3.1.2-slim 3.1-bookworm 3.1-slim-bookworm
#
# Stand-in for Docker Hub's ruby:3.1 and ruby:3.1-slim (one image for both tags), built by
# scripts/engine.sh FROM its debian:bookworm-slim: Debian's ruby 3.1.2 and bundler 2.3.15.
# RubyGems is unreachable here, so a few web gems come from Debian packages, pre-installed in
# the bundle path (/usr/local/bundle/ruby/3.1.0, where BUNDLE_PATH=/usr/local/bundle installs)
# for `bundle install` to find them without a download. docs/engine.md lists them.
ARG BASE
FROM ${BASE}
ENV LANG=C.UTF-8 \
    GEM_HOME=/usr/local/bundle \
    BUNDLE_SILENCE_ROOT_WARNING=1 \
    BUNDLE_APP_CONFIG=/usr/local/bundle
ENV PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Debian keeps gems in two rubygems-integration trees (pure Ruby, and native for Ruby 3.1),
# mostly as complete gem folders (specifications/, gems/, extensions/), copied as they are.
# Older packages (tilt) have only a gemspec there and their files in vendor_ruby and
# /usr/bin: those gem folders are rebuilt from the gemspec's file list.
COPY <<'RUBY' /tmp/gem-dirs.rb
require "fileutils"
dest = ARGV.fetch(0)
Dir["#{dest}/specifications/*.gemspec"].each do |f|
  spec = Gem::Specification.load(f)
  dir = File.join(dest, "gems", spec.full_name)
  next if File.directory?(dir)
  spec.files.each do |rel|
    src = if rel.start_with?("lib/") then File.join("/usr/lib/ruby/vendor_ruby", rel.delete_prefix("lib/"))
          elsif rel.start_with?("bin/") then File.join("/usr/bin", File.basename(rel))
          end
    next unless src && File.file?(src)
    FileUtils.mkdir_p(File.dirname(File.join(dir, rel)))
    FileUtils.cp(src, File.join(dir, rel))
  end
  FileUtils.mkdir_p(dir)
end
RUBY
RUN apt-get update \
 && apt-get install -y --no-install-recommends ruby bundler \
      ruby-rack ruby-sinatra ruby-webrick puma \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && dest=/usr/local/bundle/ruby/3.1.0 \
 && mkdir -p "$dest" /usr/local/bundle/bin \
 && for src in /usr/share/rubygems-integration/all /usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0; do \
      for d in specifications gems extensions; do \
        if [ -d "$src/$d" ]; then mkdir -p "$dest/$d" && cp -aL "$src/$d/." "$dest/$d/"; fi; \
      done; \
    done \
 && ruby /tmp/gem-dirs.rb "$dest" && rm /tmp/gem-dirs.rb \
 && chmod -R a+rwX /usr/local/bundle \
 && ruby --version && bundle --version && gem list
CMD ["irb"]
